package account

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient"
)

func TestNormalizeAddress(t *testing.T) {
	good := map[string]string{
		"sip:alice@example.com":                   "sip:alice@example.com",
		"alice@example.com":                       "sip:alice@example.com",
		" <sip:bob@127.0.0.1:5070;transport=TCP>": "sip:bob@127.0.0.1:5070;transport=tcp",
		"Bob <sip:bob@host>":                      "sip:bob@host",
	}
	for in, want := range good {
		got, err := NormalizeAddress(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                     "enter an address",
		"alice":                "not a SIP address",
		"http://x.org":         "not a SIP address",
		"sip:example.com":      "no user part",
		"sip:a@b\r\nVia: evil": "not a SIP address",
	}
	for in, want := range bad {
		if _, err := NormalizeAddress(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeAddress(%q) error = %v, want it to say %q", in, err, want)
		}
	}
}

func TestRosterSaveLoad(t *testing.T) {
	dir := t.TempDir()
	r, err := LoadRoster(dir)
	if err != nil || len(r.Contacts) != 0 {
		t.Fatalf("fresh roster: %v %v", r, err)
	}
	if _, err := r.Add(Contact{URI: "sip:bob@example.com", Name: "Bob", Group: "Work"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Add(Contact{URI: "<sip:bob@example.com;transport=udp>"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate add: %v", err)
	}
	r.Watchers["sip:eve@example.com"] = "block"
	r.BlockSender("sip:spam@example.com;transport=tcp")
	if err := r.Save(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "roster.json"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("roster file mode %v", st.Mode().Perm())
	}
	r2, err := LoadRoster(dir)
	if err != nil || len(r2.Contacts) != 1 || r2.Contacts[0].Name != "Bob" || r2.Watchers["sip:eve@example.com"] != "block" || !r2.IsBlockedSender("sip:spam@example.com") {
		t.Errorf("reloaded %+v %v", r2, err)
	}
	if !r2.Remove("sip:bob@example.com") || r2.Remove("sip:bob@example.com") {
		t.Error("Remove")
	}
}

func TestDamagedRosterSaysSo(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "roster.json"), []byte("{not json"), 0o600)
	if _, err := LoadRoster(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged roster: %v", err)
	}
}

func TestConfigDirXDG(t *testing.T) {
	t.Setenv("PARLEY_CONFIG_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdgtest")
	if d, _ := ConfigDir(); d != "/tmp/xdgtest/parley" {
		t.Errorf("ConfigDir = %q", d)
	}
	t.Setenv("PARLEY_CONFIG_DIR", "/tmp/override")
	if d, _ := ConfigDir(); d != "/tmp/override" {
		t.Errorf("override: %q", d)
	}
}

// The policy starts from the roster's blocked senders, any spelling of the
// address, and learns new ones; the core asks it before storing a message.
func TestPolicyBlockedSenders(t *testing.T) {
	r, _ := LoadRoster(t.TempDir())
	r.BlockSender("sip:Mallory@Evil.Example")
	p := NewWatcherPolicy(r, sipclient.Ask)
	if !p.SenderBlocked("<sip:Mallory@evil.example;transport=tcp>") || p.SenderBlocked("sip:bob@example.test") {
		t.Errorf("blocked from the roster: mallory %v, bob %v", p.SenderBlocked("sip:Mallory@evil.example"), p.SenderBlocked("sip:bob@example.test"))
	}
	// A roster saved before host names were lower-cased still blocks.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "roster.json"), []byte(`{"blocked_senders":["sip:eve@Old.Example"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := LoadRoster(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !old.IsBlockedSender("sip:eve@old.example") || !NewWatcherPolicy(old, sipclient.Ask).SenderBlocked("sip:eve@OLD.example") {
		t.Error("an entry saved with capitals no longer blocks")
	}
	p.BlockSender("sip:trudy@evil.example")
	if !p.SenderBlocked("sip:trudy@evil.example") {
		t.Error("a sender blocked now is not")
	}
	// Contacts are who the core never rate-limits.
	p.SetContact("sip:bob@example.test;transport=tcp", true)
	if !p.IsContact("sip:bob@EXAMPLE.test") || p.IsContact("sip:trudy@evil.example") {
		t.Errorf("IsContact: bob %v, trudy %v", p.IsContact("sip:bob@EXAMPLE.test"), p.IsContact("sip:trudy@evil.example"))
	}
}
