package keyring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/keyringtest"
)

// A session bus that activates nothing: no Secret Service can appear.
const bareBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// TestNoKeyring: with no usable Secret Service, Vault says so in words
// the user can act on. Each case runs in a child process, since godbus
// keeps its session bus connection for the life of a process.
func TestNoKeyring(t *testing.T) {
	if os.Getenv(envChild) == "nokeyring" {
		checkVaultError(t, account.ErrNoKeyring, "install and start gnome-keyring")
		return
	}
	t.Run("bus address points nowhere", func(t *testing.T) {
		root, env := keyringtest.Sandbox(t, envChild)
		env = append(env, envChild+"=nokeyring", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(root, "run", "nobus"))
		keyringtest.RunChild(t, "TestNoKeyring", env)
	})
	t.Run("no bus address and no dbus-launch", func(t *testing.T) {
		root, env := keyringtest.Sandbox(t, envChild)
		env = append(withoutPath(env), envChild+"=nokeyring", "PATH="+filepath.Join(root, "run"))
		keyringtest.RunChild(t, "TestNoKeyring", env)
	})
	t.Run("bus without a Secret Service", func(t *testing.T) {
		keyringtest.RequireTools(t, keyringtest.Hint, "dbus-run-session")
		root, env := keyringtest.Sandbox(t, envChild)
		conf := filepath.Join(root, "bare-session.conf")
		if err := os.WriteFile(conf, []byte(bareBusConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		keyringtest.RunChild(t, "TestNoKeyring", append(env, envChild+"=nokeyring"), "dbus-run-session", "--config-file="+conf, "--")
	})
}

// TestLockedKeyring: the bus starts gnome-keyring on demand, but there is
// no login keyring and no display for the unlock prompt, so the prompt is
// dismissed: Vault reports a locked keyring, never a generic failure.
func TestLockedKeyring(t *testing.T) {
	if os.Getenv(envChild) == "locked" {
		checkVaultError(t, account.ErrKeyringLocked, "unlock it")
		return
	}
	keyringtest.RequireTools(t, keyringtest.Hint, "dbus-run-session", "gnome-keyring-daemon")
	_, env := keyringtest.Sandbox(t, envChild)
	keyringtest.RunChild(t, "TestLockedKeyring", append(env, envChild+"=locked"), "dbus-run-session", "--")
}

// checkVaultError runs Get, Set and Delete and wants each to fail with
// want and a message containing hint.
func checkVaultError(t *testing.T, want error, hint string) {
	t.Helper()
	v := account.NewVault()
	ctx := context.Background()
	_, getErr := v.Get(ctx, "work")
	for op, err := range map[string]error{"get": getErr, "set": v.Set(ctx, "work", "pw-secret"), "delete": v.Delete(ctx, "work")} {
		if !errors.Is(err, want) || !strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %v; want %v", op, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%s: password in the error: %v", op, err)
		}
		t.Logf("%s: %v", op, err)
	}
}

func withoutPath(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return out
}
