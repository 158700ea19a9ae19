// Package desktop holds the end-to-end test of the real parley binary in a
// real X server (Xvfb), proven on screen by OCR of screenshots.
package desktop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/sipclient/history"
)

func TestMain(m *testing.M) { clitest.Main(m) }

func buildApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "parley")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/parley-im/parley/cmd/parley")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build parley: %v\n%s", err, out)
	}
	return bin
}

// The desktop app, watching parley-cli peers on loopback, shows a peer's
// status and note in the roster and its message in a chat window, and a
// peer who signs off as offline since a time, not unknown.
func TestDesktopShowsPeerStatusAndMessage(t *testing.T) {
	display := startXvfb(t)
	app := buildApp(t)
	peer := clitest.Start(t, "--user", "poisson", "--transport", "tcp", "--status", "offline")
	leaver := clitest.Start(t, "--user", "fourier", "--transport", "tcp")

	cfg := t.TempDir()
	roster := fmt.Sprintf(`{"contacts":[{"uri":"%s;transport=tcp","name":"Simeon Poisson","group":"Lab"},`+
		`{"uri":"%s;transport=tcp","name":"Joseph Fourier","group":"Lab"}]}`, peer.AOR(), leaver.AOR())
	os.WriteFile(filepath.Join(cfg, "roster.json"), []byte(roster), 0o600)
	storeOldMessages(t, filepath.Join(cfg, "history.db"), peer.AOR(), 120)
	port := clitest.FreePort(t)
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+cfg, "XDG_CONFIG_HOME="+filepath.Join(cfg, "xdg"), "FYNE_THEME=light", "DBUS_SESSION_BUS_ADDRESS=")
	parley := startApp(t, app, env, filepath.Join(cfg, "parley.log"),
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "chebychev", "--transport", "tcp")

	shots := t.TempDir()
	if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	n := 0
	me := fmt.Sprintf("sip:chebychev@127.0.0.1:%d", port)
	peer.WaitEvent(t, 30*time.Second, clitest.Match("watcher", "uri", me, "state", "active"))
	waitScreen(t, display, shots, &n, "Simeon Poisson", "Offline", "Your address")

	// Fourier quits: his row says when he was last seen.
	leaver.WaitEvent(t, 30*time.Second, clitest.Match("watcher", "uri", me, "state", "active"))
	waitScreen(t, display, shots, &n, "Joseph Fourier", "Available")
	leaver.Quit(t)
	waitScreen(t, display, shots, &n, "Joseph Fourier", "last seen")

	peer.Send("status away Reading papers")
	waitScreen(t, display, shots, &n, "Away", "Reading papers")

	// The chat opens below 120 stored messages: the new one must be on
	// screen, not the oldest of the first page.
	peer.Send("send " + me + " Hi There from Poisson")
	peer.WaitEvent(t, 10*time.Second, clitest.Match("message_status", "status", "sent"))
	shot := waitScreen(t, display, shots, &n, "Hi There from Poisson", "older line 120")
	t.Logf("final screenshot: %s", shot)

	// The GL driver the window got is recorded, for the next start to
	// load early (cmd/parley/gldriver.go): under Xvfb, Mesa's.
	if b, err := os.ReadFile(filepath.Join(parley.cache, "parley", "gl-driver")); err != nil ||
		!strings.HasSuffix(strings.TrimSpace(string(b)), "/dri/swrast_dri.so") {
		t.Errorf("recorded GL driver %q (%v), want Mesa's swrast_dri.so", b, err)
	}

	// A clean exit on SIGTERM: the peer sees its watcher go away.
	parley.cmd.Process.Signal(syscall.SIGTERM)
	peer.WaitEvent(t, 15*time.Second, clitest.Match("watcher", "uri", me, "state", "terminated"))
	if exited, _ := parley.wait(10 * time.Second); !exited {
		t.Error("parley did not exit after SIGTERM")
	}
}

// storeOldMessages puts n messages from peer in the app's history file
// before it starts, "older line 1" to "older line n".
func storeOldMessages(t *testing.T, path, peer string, n int) {
	t.Helper()
	st, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Now().Add(-time.Hour)
	for i := 1; i <= n; i++ {
		m := history.Message{PeerURI: peer, Text: fmt.Sprint("older line ", i), At: at.Add(time.Duration(i) * time.Second),
			CallID: fmt.Sprint("old-", i), FromTag: "old", CSeq: 1}
		if _, _, err := st.AddIncoming(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}
