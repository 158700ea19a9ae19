package keyringtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment between a test and the copy of itself it runs in a session.
const (
	EnvSession = "PARLEY_REAL_KEYRING"    // "1": this process runs in the sandboxed session
	EnvSandbox = "PARLEY_KEYRING_SANDBOX" // the throwaway root of the session's directories
)

// UnlockAndRun is the shell line run inside dbus-run-session: start
// gnome-keyring with an unlocked login keyring (password "pw"), then run
// the command in "$0" "$@" with EnvSession=1.
const UnlockAndRun = `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" && ` +
	EnvSession + `=1 exec "$0" "$@"`

// childTimeout bounds a child test run, session included.
const childTimeout = 100 * time.Second

// Hint is what to install for the keyring tests.
const Hint = "install them: apt-get install -y gnome-keyring dbus libsecret-tools (scripts/test.sh does)"

// InSession reports whether this process is the child in the sandboxed
// session.
func InSession() bool { return os.Getenv(EnvSession) == "1" }

// RunInSession runs test name of this test binary inside dbus-run-session
// with a fresh, unlocked gnome-keyring in a sandbox, and fails t with the
// child's output if it fails.
func RunInSession(t *testing.T, name string) {
	t.Helper()
	RequireTools(t, Hint, "dbus-run-session", "gnome-keyring-daemon", "secret-tool")
	_, env := Sandbox(t)
	RunChild(t, name, env, "dbus-run-session", "--", "sh", "-c", UnlockAndRun)
}

// Sandbox makes throwaway data, runtime and config directories and returns
// their root and the environment pointing there, with every variable that
// could lead to the user's own session bus, keyring or display removed
// (and those named in drop).
func Sandbox(t *testing.T, drop ...string) (root string, env []string) {
	t.Helper()
	root = t.TempDir()
	for _, d := range []string{"data", "run", "config"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	drop = append(drop, "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "DISPLAY", "WAYLAND_DISPLAY",
		EnvSession, EnvSandbox, "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "PARLEY_CONFIG_DIR", "PARLEY_DATA_DIR")
	env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, name)
	})
	env = append(env, EnvSandbox+"="+root,
		"XDG_DATA_HOME="+filepath.Join(root, "data"),
		"XDG_RUNTIME_DIR="+filepath.Join(root, "run"),
		"PARLEY_CONFIG_DIR="+filepath.Join(root, "config"))
	return root, env
}

// RunChild runs test name of this very test binary with env, after the
// command prefix (such as dbus-run-session), bounded in time, and fails t
// with the child's output if it fails.
func RunChild(t *testing.T, name string, env []string, prefix ...string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append(prefix, self, "-test.run=^"+name+"$", "-test.count=1", "-test.v", "-test.timeout=90s")
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = env
	// The session's bus and keyring daemons go with the child.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s failed: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("child output:\n%s", out)
}

// RequireSandbox refuses to run against a keyring outside the sandbox (the
// user's own) and returns the sandbox root.
func RequireSandbox(t *testing.T) string {
	t.Helper()
	root := os.Getenv(EnvSandbox)
	for _, v := range []string{"XDG_DATA_HOME", "XDG_RUNTIME_DIR", "PARLEY_CONFIG_DIR"} {
		if root == "" || !strings.HasPrefix(os.Getenv(v), root+string(filepath.Separator)) {
			t.Fatalf("%s=1 but %s is not inside %s=%q: refusing to touch your own keyring; run plain go test or test/keyring/run.sh",
				EnvSession, v, EnvSandbox, root)
		}
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("%s=1 but there is no session bus: run plain go test", EnvSession)
	}
	return root
}

// RequireTools fails the test (never skips) when a tool is missing,
// saying what to install (hint).
func RequireTools(t *testing.T, hint string, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%s not found: %s", strings.Join(missing, ", "), hint)
	}
}
