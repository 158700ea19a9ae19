package keyring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/keyringtest"
)

// TestRealKeyring stores, reads, replaces and deletes a password in a real
// gnome-keyring and proves that no file holds it in the clear. Without
// PARLEY_REAL_KEYRING=1 it re-runs itself in a private D-Bus session with
// a fresh, unlocked gnome-keyring in a sandbox.
func TestRealKeyring(t *testing.T) {
	if !keyringtest.InSession() {
		keyringtest.RunInSession(t, "TestRealKeyring")
		return
	}
	root := keyringtest.RequireSandbox(t)
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
	if got := keyringtest.LookupSecret(t, id); got != password {
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

// assertNotInFiles fails if any regular file under root (Parley's
// config, the keyring's own store) holds the password.
func assertNotInFiles(t *testing.T, root, password string) {
	t.Helper()
	read, holding, err := keyringtest.FilesHolding(root, password)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range holding {
		t.Errorf("the password is in the clear in %s", f)
	}
	if len(read) < 2 {
		t.Errorf("walked only %d files under %s: expected the accounts file and the keyring", len(read), root)
	}
	t.Logf("password in none of %d files under %s", len(read), root)
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
