// Package keyring proves account.Vault against a real Secret Service:
// gnome-keyring in a private D-Bus session started by the test itself
// (dbus-run-session), in a throwaway sandbox directory so the user's own
// keyring is never touched. It also proves the "no keyring" and "locked
// keyring" paths against real, broken setups. It needs the Debian
// packages gnome-keyring, dbus and libsecret-tools and fails, saying so,
// when they are missing.
package keyring

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Environment variables between the parent test and its children.
const (
	envReal    = "PARLEY_REAL_KEYRING"    // "1": this process runs in the sandboxed session
	envSandbox = "PARLEY_KEYRING_SANDBOX" // the throwaway root of HOME-like directories
	envChild   = "PARLEY_KEYRING_CHILD"   // scenario a child process should check
)

const aptHint = "install them: apt-get install -y gnome-keyring dbus libsecret-tools"

// requireTools fails the test when a tool is missing: these tests must
// not pass by skipping.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%s not found: %s", strings.Join(missing, ", "), aptHint)
	}
}

// sandbox makes throwaway data, runtime and config directories and
// returns the environment pointing there, with every variable that could
// lead to the user's own session bus, keyring or display removed.
func sandbox(t *testing.T) (root string, env []string) {
	t.Helper()
	root = t.TempDir()
	for _, d := range []string{"data", "run", "config"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	drop := []string{"DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "DISPLAY", "WAYLAND_DISPLAY",
		envReal, envChild, envSandbox, "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "PARLEY_CONFIG_DIR"}
	env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, name)
	})
	env = append(env, envSandbox+"="+root,
		"XDG_DATA_HOME="+filepath.Join(root, "data"),
		"XDG_RUNTIME_DIR="+filepath.Join(root, "run"),
		"PARLEY_CONFIG_DIR="+filepath.Join(root, "config"))
	return root, env
}

// runChild runs test `name` of this very test binary with env, after the
// command prefix (such as dbus-run-session), and fails t with the child's
// output if it fails.
func runChild(t *testing.T, name string, env []string, prefix ...string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := append(prefix, self, "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s failed: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("child output:\n%s", out)
}
