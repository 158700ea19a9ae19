package desktop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
)

// startAway runs the app with --idle-away 3s and the peer as a contact
// (so the peer may watch it), with its config in cfg, and returns its
// address and its log file.
func startAway(t *testing.T, app, display, cfg string, peer *clitest.CLI) (string, string) {
	t.Helper()
	roster := fmt.Sprintf(`{"contacts":[{"uri":"%s;transport=tcp","name":"Simeon Poisson"}]}`, peer.AOR())
	os.WriteFile(filepath.Join(cfg, "roster.json"), []byte(roster), 0o600)
	port := clitest.FreePort(t)
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+cfg, "XDG_CONFIG_HOME="+filepath.Join(cfg, "xdg"),
		"DBUS_SESSION_BUS_ADDRESS=", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent")
	logPath := filepath.Join(cfg, fmt.Sprintf("parley-%d.log", port))
	parley := startApp(t, app, env, logPath, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "chebychev",
		"--transport", "tcp", "--idle-away", "3s", "-v")
	t.Cleanup(func() { // before startApp's kill: a clean quit first
		parley.cmd.Process.Signal(syscall.SIGTERM)
		parley.wait(10 * time.Second)
	})
	return fmt.Sprintf("sip:chebychev@127.0.0.1:%d;transport=tcp", port), logPath
}

// waitWatching waits until the app watches the peer: it is up.
func waitWatching(t *testing.T, peer *clitest.CLI, me string) { waitWatchingFrom(t, peer, 0, me) }

func waitWatchingFrom(t *testing.T, peer *clitest.CLI, from int, me string) {
	t.Helper()
	peer.WaitEventFrom(t, from, 60*time.Second, clitest.Match("watcher", "uri", strings.TrimSuffix(me, ";transport=tcp"), "state", "active"))
}

func moveMouse(t *testing.T, display string) {
	t.Helper()
	cmd := exec.Command("xdotool", "mousemove", "200", "300")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, out)
	}
}

// waitLog waits (bounded) until the app's log holds want.
func waitLog(t *testing.T, path, want string) {
	t.Helper()
	for range 300 {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the log never said %q", want)
}

// Auto-away end to end: the real app under Xvfb with --idle-away 3s, a
// parley-cli watching it. No input: the watcher gets away; a mouse move
// (xdotool): available again. A user-set Busy is never changed.
func TestDesktopAutoAway(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Fatal("xdotool is missing: run scripts/test.sh, which installs it")
	}
	display := startXvfb(t)
	app := buildApp(t)
	peer := clitest.Start(t, "--user", "poisson", "--transport", "tcp")
	cfg := t.TempDir()
	me, _ := startAway(t, app, display, cfg, peer)
	waitWatching(t, peer, me)
	peer.Send("subscribe " + me)
	me = strings.TrimSuffix(me, ";transport=tcp") // as the peer reports it
	// The automatic Away says it is one: RPID user-input idle.
	peer.WaitEvent(t, 60*time.Second, clitest.Match("presence", "uri", me, "basic", "open", "activity", "away", "idle", "true"))
	from := peer.Len()
	moveMouse(t, display)
	peer.WaitEventFrom(t, from, 15*time.Second, clitest.Match("presence", "uri", me, "basic", "open", "activity", "", "idle", "false"))
	from = peer.Len()
	peer.WaitEventFrom(t, from, 15*time.Second, clitest.Match("presence", "uri", me, "basic", "open", "activity", "away"))

	// Busy, as the user chose it in an earlier run, survives leaving.
	cfg2 := t.TempDir()
	os.WriteFile(filepath.Join(cfg2, "prefs.json"), []byte(`{"status":"busy","note":"writing"}`), 0o600)
	from = peer.Len()
	busy, log := startAway(t, app, display, cfg2, peer)
	waitWatchingFrom(t, peer, from, busy)
	peer.Send("subscribe " + busy)
	busy = strings.TrimSuffix(busy, ";transport=tcp")
	peer.WaitEventFrom(t, from, 60*time.Second, clitest.Match("presence", "uri", busy, "activity", "busy", "note", "writing"))
	waitLog(t, log, "the status the user chose stays")
	for _, e := range peer.Events()[from:] {
		if e.Is("presence", "uri", busy) && (e.Str("activity") != "busy" || e.Str("idle") != "false") {
			t.Errorf("a user-set Busy changed: %s", e)
		}
	}
}
