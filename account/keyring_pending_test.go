package account_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
)

// disabledAccount is an account that never starts: these tests are about
// the keyring, not the server.
func disabledAccount(id string) account.Account {
	a := account.NewAccount(id, "sip:"+id+"@127.0.0.1")
	a.Enabled = false
	return a
}

// pendingFile reads the pending deletions file as the user would.
func pendingFile(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, account.PendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Removing an account while the keyring is locked removes it at once,
// remembers the keyring entry (by ID, no secret) and deletes it at the
// next start, once the keyring opens.
func TestRemoveWhileLockedDeletesAtNextStart(t *testing.T) {
	keys := newFakeKeyring()
	dir := filepath.Join(t.TempDir(), "config")
	m, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	ctx := context.Background()
	if err := m.SaveAccount(ctx, disabledAccount("work"), "pw-secret-1", false); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	keys.delErr = account.ErrKeyringLocked
	keys.mu.Unlock()

	err := m.RemoveAccount(ctx, "work")
	if !errors.Is(err, account.ErrPasswordPending) || !errors.Is(err, account.ErrKeyringLocked) {
		t.Fatalf("RemoveAccount on a locked keyring: %v; want ErrPasswordPending", err)
	}
	if saved, err := account.LoadAccounts(dir); err != nil || len(saved) != 0 || len(m.Accounts()) != 0 {
		t.Errorf("the account is kept: file %v (%v), manager %v", saved, err, m.Accounts())
	}
	if f := pendingFile(t, dir); !strings.Contains(f, `"work"`) || strings.Contains(f, "pw-secret") {
		t.Errorf("pending file: %q", f)
	}
	m.Close()

	keys.mu.Lock()
	keys.delErr = nil // unlocked before the next start
	keys.mu.Unlock()
	m2, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	m2.Close() // waits for the sweep
	if _, err := keys.Get(ctx, "work"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the keyring still holds the removed account's password: %v", err)
	}
	if f := pendingFile(t, dir); f != "" {
		t.Errorf("pending file left: %q", f)
	}
}

// A keyring that opens during the run (a password read or saved) gets
// the pending entries deleted then, not only at the next start.
func TestPendingDeletedWhenKeyringOpens(t *testing.T) {
	keys := newFakeKeyring()
	dir := filepath.Join(t.TempDir(), "config")
	m, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	ctx := context.Background()
	if err := m.SaveAccount(ctx, disabledAccount("old"), "pw-old", false); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	keys.delErr = account.ErrKeyringTimeout
	keys.mu.Unlock()
	if err := m.RemoveAccount(ctx, "old"); !errors.Is(err, account.ErrPasswordPending) {
		t.Fatalf("RemoveAccount: %v", err)
	}
	keys.mu.Lock()
	keys.delErr = nil
	keys.mu.Unlock()
	if err := m.SaveAccount(ctx, disabledAccount("new"), "pw-new", false); err != nil {
		t.Fatal(err)
	}
	m.Close() // waits for the sweep the save started
	if _, err := keys.Get(ctx, "old"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("old entry not deleted once the keyring opened: %v", err)
	}
	if p, err := keys.Get(ctx, "new"); p != "pw-new" || err != nil {
		t.Errorf("new entry: %q, %v", p, err)
	}
	if got := m.PendingDeletions(); len(got) != 0 {
		t.Errorf("pending: %v", got)
	}
}

// A new password saved under a pending ID is the user's: the sweep
// never deletes it.
func TestNewPasswordUnderPendingIDIsKept(t *testing.T) {
	keys := newFakeKeyring()
	dir := filepath.Join(t.TempDir(), "config")
	m, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	ctx := context.Background()
	if err := m.SaveAccount(ctx, disabledAccount("work"), "pw-1", false); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	keys.delErr = account.ErrKeyringLocked
	keys.mu.Unlock()
	_ = m.RemoveAccount(ctx, "work")
	keys.mu.Lock()
	keys.delErr = nil
	keys.mu.Unlock()
	if err := m.SaveAccount(ctx, disabledAccount("work"), "pw-2", false); err != nil {
		t.Fatal(err)
	}
	m.Close()
	m2, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	m2.Close()
	if p, err := keys.Get(ctx, "work"); p != "pw-2" || err != nil {
		t.Errorf("the new password: %q, %v", p, err)
	}
}

// An account whose password was typed for this session only is removed
// without waiting on the keyring, and without a word about it.
func TestRemoveSessionOnlyNeverTouchesKeyring(t *testing.T) {
	keys := newFakeKeyring()
	keys.delErr = account.ErrKeyringLocked
	dir := filepath.Join(t.TempDir(), "config")
	m, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	ctx := context.Background()
	if err := m.SaveAccount(ctx, disabledAccount("guest"), "pw-session", true); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveAccount(ctx, "guest"); err != nil {
		t.Fatalf("RemoveAccount of a session-only account: %v", err)
	}
	keys.mu.Lock()
	deleted := slices.Clone(keys.deleted)
	keys.mu.Unlock()
	if len(deleted) != 0 || len(m.Accounts()) != 0 {
		t.Errorf("keyring asked to delete %v; accounts %v", deleted, m.Accounts())
	}
}

// An account added again under a removed account's ID, without a
// password, does not sign in with the removed one's password that the
// keyring still holds.
func TestReaddedAccountDoesNotInheritPendingPassword(t *testing.T) {
	keys := newFakeKeyring()
	dir := filepath.Join(t.TempDir(), "config")
	m, _ := newManager(t, nil, account.ManagerConfig{Passwords: keys, Dir: dir})
	defer m.Close()
	ctx := context.Background()
	if err := m.SaveAccount(ctx, disabledAccount("work"), "pw-old", false); err != nil {
		t.Fatal(err)
	}
	keys.mu.Lock()
	keys.delErr = account.ErrKeyringLocked
	keys.mu.Unlock()
	_ = m.RemoveAccount(ctx, "work")
	if err := m.SaveAccount(ctx, disabledAccount("work"), "", false); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := m.TestAccount(tctx, disabledAccount("work"), ""); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("Test connection of the re-added account: %v, want no saved password", err)
	}
	if p, err := keys.Get(ctx, "work"); p != "pw-old" || err != nil {
		t.Errorf("the old entry is gone before the keyring deleted it: %q, %v", p, err)
	}
}
