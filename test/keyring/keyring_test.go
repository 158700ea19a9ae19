package keyring

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
)

// unlockAndRun is the shell line run inside dbus-run-session: start
// gnome-keyring with an unlocked login keyring (password "pw"), then run
// the command in "$0" "$@" with PARLEY_REAL_KEYRING=1. It is what run.sh
// does with go test.
const unlockAndRun = `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" && PARLEY_REAL_KEYRING=1 exec "$0" "$@"`

// TestRealKeyring stores, reads, replaces and deletes a password in a real
// gnome-keyring and proves that no file holds it in the clear. Without
// PARLEY_REAL_KEYRING=1 it re-runs itself in a private D-Bus session with
// a fresh, unlocked gnome-keyring in a sandbox.
func TestRealKeyring(t *testing.T) {
	if os.Getenv(envReal) != "1" {
		requireTools(t, "dbus-run-session", "gnome-keyring-daemon", "secret-tool")
		_, env := sandbox(t)
		runChild(t, "TestRealKeyring", env, "dbus-run-session", "--", "sh", "-c", unlockAndRun)
		return
	}
	root := requireSandbox(t)
	requireTools(t, "secret-tool")
	id, password := "parley-test-"+randomHex(t, 4), "pw-"+randomHex(t, 12)
	v := account.NewVault()
	ctx := context.Background()

	if _, err := v.Get(ctx, id); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("Get before Set: %v", err)
	}
	if err := v.Set(ctx, id, "first-"+password); err != nil {
		t.Fatal(err)
	}
	if err := v.Set(ctx, id, password); err != nil {
		t.Fatal(err)
	}
	if got, err := v.Get(ctx, id); got != password || err != nil {
		t.Fatalf("Get = %q, %v; want the replaced password", got, err)
	}
	if got := secretTool(t, id); got != password {
		t.Fatalf("secret-tool sees %q under service parley, user %s", got, id)
	}
	saveAccount(t, id)
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_DATA_HOME"), "keyrings", "login.keyring")); err != nil {
		t.Errorf("gnome-keyring wrote no login keyring in the sandbox: %v", err)
	}
	assertNotInFiles(t, root, password)

	if err := v.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ctx, id); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if err := v.Delete(ctx, id); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
}

// requireSandbox refuses to run against a keyring outside the sandbox:
// the user's own.
func requireSandbox(t *testing.T) string {
	t.Helper()
	root := os.Getenv(envSandbox)
	for _, v := range []string{"XDG_DATA_HOME", "XDG_RUNTIME_DIR", "PARLEY_CONFIG_DIR"} {
		if root == "" || !strings.HasPrefix(os.Getenv(v), root+string(filepath.Separator)) {
			t.Fatalf("%s=1 but %s is not inside %s=%q: refusing to touch your own keyring; run plain go test or test/keyring/run.sh",
				envReal, v, envSandbox, root)
		}
	}
	return root
}

// secretTool reads the password with libsecret, independently of
// go-keyring.
func secretTool(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", id).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// saveAccount writes the account list next to the password, so the file
// walk below has Parley's own files to look through.
func saveAccount(t *testing.T, id string) {
	t.Helper()
	dir, err := account.ConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := account.SaveAccounts(dir, []account.Account{account.NewAccount(id, "sip:alice@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, account.AccountsFile)); err != nil {
		t.Fatal(err)
	}
}

// assertNotInFiles walks every regular file under root (Parley's config,
// the keyring's own store) and fails if one holds the password.
func assertNotInFiles(t *testing.T, root, password string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("the password is in the clear in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Errorf("walked only %d files under %s: expected the accounts file and the keyring", files, root)
	}
	t.Logf("password in none of %d files under %s", files, root)
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
