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
)

// TestSecondStartOpensLinkInFirst: what xdg-open does with a sip: link
// while Parley runs. A second "parley sip:bob@…" exits 0 without a window
// of its own, and the first Parley shows Bob's chat (his stored messages
// on screen, read by OCR); a link to someone not in the contacts offers
// to add them. The hand-over socket and its directory are owner-only.
func TestSecondStartOpensLinkInFirst(t *testing.T) {
	display := startXvfb(t)
	app := buildApp(t)
	cfg, runtime := t.TempDir(), t.TempDir()
	bobPort, port := clitest.FreePort(t), clitest.FreePort(t)
	bob := fmt.Sprintf("sip:bob@127.0.0.1:%d", bobPort)
	roster := fmt.Sprintf(`{"contacts":[{"uri":"%s;transport=tcp","name":"Robert Bobson"}]}`, bob)
	if err := os.WriteFile(filepath.Join(cfg, "roster.json"), []byte(roster), 0o600); err != nil {
		t.Fatal(err)
	}
	storeOldMessages(t, filepath.Join(cfg, "history.db"), bob, 3)
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+cfg, "XDG_CONFIG_HOME="+filepath.Join(cfg, "xdg"),
		"XDG_RUNTIME_DIR="+runtime, "FYNE_THEME=light", "DBUS_SESSION_BUS_ADDRESS=")

	first := startApp(t, app, env, filepath.Join(cfg, "parley.log"), "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "alice")
	shots := t.TempDir()
	if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	n := 0
	waitScreen(t, display, shots, &n, "Robert Bobson", "Your address")
	checkOwnerOnly(t, filepath.Join(runtime, "parley"))
	if text, _ := screenText(t, display, shots, n+1); strings.Contains(text, "older line 3") {
		t.Fatalf("Bob's chat is open before the link: %q", text)
	}

	secondStart(t, app, env, bob)
	waitScreen(t, display, shots, &n, "older line 3")
	secondStart(t, app, env, fmt.Sprintf("sip:carol@127.0.0.1:%d", bobPort+2))
	waitScreen(t, display, shots, &n, "not in your contacts")

	first.cmd.Process.Signal(syscall.SIGTERM)
	if exited, _ := first.wait(15 * time.Second); !exited {
		t.Error("parley did not exit after SIGTERM")
	}
}

// secondStart runs "parley LINK" as xdg-open would; it must hand the
// link over and exit 0.
func secondStart(t *testing.T, app string, env []string, link string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, app, link)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("second start with %s: %v\n%s", link, err, out)
	}
}

// checkOwnerOnly: the socket directory is 0700 and its socket 0600.
func checkOwnerOnly(t *testing.T, dir string) {
	t.Helper()
	socks, _ := filepath.Glob(filepath.Join(dir, "*.sock"))
	if len(socks) != 1 {
		t.Fatalf("sockets in %s: %q, want one", dir, socks)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, socks[0]: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
}
