package account_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

func TestPrefsKeepStatusAndNote(t *testing.T) {
	dir := t.TempDir()
	p, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Presence(); got != (sipclient.Presence{}) {
		t.Errorf("fresh prefs: %+v", got)
	}
	want := sipclient.Presence{Status: sipclient.StatusOffline, Note: "back Monday"}
	if err := p.SetPresence(want); err != nil {
		t.Fatal(err)
	}
	again, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Presence(); got != want {
		t.Errorf("reopened: %+v, want %+v", got, want)
	}
}

// A damaged file gives the defaults and is never overwritten.
func TestPrefsDamagedFileKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, account.PrefsFile)
	os.WriteFile(path, []byte("{not json"), 0o600)
	p, err := account.OpenPrefs(dir)
	if err == nil {
		t.Fatal("no error for a damaged file")
	}
	if err := p.SetPresence(sipclient.Presence{Status: sipclient.StatusAway}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{not json" {
		t.Errorf("damaged file overwritten: %q", b)
	}
}

// A saved "Appear offline" is in force before the core answers anyone: a
// watcher subscribing the moment a fresh Manager starts gets closed in
// the very first NOTIFY, never a flash of open.
func TestSavedAppearOfflineFirstNotifyClosed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	prefs, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := prefs.SetPresence(sipclient.Presence{Status: sipclient.StatusOffline}); err != nil {
		t.Fatal(err)
	}
	restored, err := account.OpenPrefs(dir) // as a restart reads it
	if err != nil {
		t.Fatal(err)
	}
	book := account.NewMemoryBook(sipclient.Allow)
	m, _ := newManager(t, nil, account.ManagerConfig{Dir: dir, Prefs: restored,
		Options: []sipclient.Option{sipclient.WithBook(book)}})
	if got := m.Presence().Status; got != sipclient.StatusOffline {
		t.Errorf("manager presence %q", got)
	}
	body := firstNotify(t, strings.TrimPrefix(m.AOR(), "sip:me@"))
	if !strings.Contains(body, "<basic>closed</basic>") || strings.Contains(body, "<basic>open</basic>") {
		t.Errorf("first NOTIFY is not closed:\n%s", body)
	}
}

// firstNotify sends a raw SUBSCRIBE for presence over UDP to hostport and
// returns the whole first NOTIFY that comes back.
func firstNotify(t *testing.T, hostport string) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	to, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		t.Fatal(err)
	}
	me := conn.LocalAddr().String()
	req := fmt.Sprintf("SUBSCRIBE sip:me@%[1]s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %[2]s;branch=z9hG4bK-prefs1;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:watcher@%[2]s>;tag=w1\r\nTo: <sip:me@%[1]s>\r\n"+
		"Call-ID: prefs-first-notify\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:watcher@%[2]s>\r\n"+
		"Event: presence\r\nAccept: application/pidf+xml\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n", hostport, me)
	if _, err := conn.WriteTo([]byte(req), to); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 65535)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no NOTIFY: %v", err)
		}
		if msg := string(buf[:n]); strings.HasPrefix(msg, "NOTIFY ") {
			return msg
		}
	}
}
