package keyring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/keyringtest"
)

// TestRemoveWhileLocked: with the real gnome-keyring locked (as a locked
// screen leaves it), removing an account works at once; its password
// stays in the keyring, named in the pending file (without the secret),
// and is deleted when the keyring opens: within the run when a password
// is next saved, or at the next start.
func TestRemoveWhileLocked(t *testing.T) {
	if !keyringtest.InSession() {
		keyringtest.RunInSession(t, "TestRemoveWhileLocked")
		return
	}
	root := keyringtest.RequireSandbox(t)
	dir, err := account.ConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	first, second := "first-"+randomHex(t, 4), "second-"+randomHex(t, 4)
	password := "pw-" + randomHex(t, 12)

	// The keyring unlocked during the run: Parley hears of it on the bus
	// and deletes the entry without being asked for a password.
	m, _ := startManager(t, dir, nil)
	saveDisabled(t, m, first, password)
	keyringtest.Lock(t)
	removeLocked(t, m, dir, first)
	assertNotInFiles(t, root, password)
	if got := m.PendingDeletions(); len(got) != 1 || got[0] != first {
		t.Fatalf("pending: %v", got)
	}
	keyringtest.Unlock(t)
	waitNothingPending(t, m)
	assertGone(t, first)

	// Unlocked while Parley was not running: the next start deletes it.
	saveDisabled(t, m, second, password+"-2")
	keyringtest.Lock(t)
	removeLocked(t, m, dir, second)
	m.Close()
	keyringtest.Unlock(t)
	m, _ = startManager(t, dir, mustLoad(t, dir))
	m.Close() // waits for the sweep the start began
	assertGone(t, second)
	if _, err := os.Stat(filepath.Join(dir, account.PendingFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pending file left after every entry was deleted: %v", err)
	}

	// Still locked at the next start: the entry waits (no delete, which
	// would bring up an unlock prompt) until the keyring is unlocked.
	third := "third-" + randomHex(t, 4)
	m, _ = startManager(t, dir, mustLoad(t, dir))
	saveDisabled(t, m, third, password+"-3")
	keyringtest.Lock(t)
	removeLocked(t, m, dir, third)
	m.Close()
	m, _ = startManager(t, dir, mustLoad(t, dir))
	if got := m.PendingDeletions(); len(got) != 1 || got[0] != third {
		t.Fatalf("pending at a locked start: %v", got)
	}
	keyringtest.Unlock(t)
	waitNothingPending(t, m)
	assertGone(t, third)
}

// waitNothingPending waits, bounded, for m's pending deletions to be done:
// the unlock reaches Parley as a D-Bus signal, on its own goroutine.
func waitNothingPending(t *testing.T, m *account.Manager) {
	t.Helper()
	for range 200 { // 10 s at most
		if len(m.PendingDeletions()) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("still pending 10 s after the unlock: %v", m.PendingDeletions())
}

func saveDisabled(t *testing.T, m *account.Manager, id, password string) {
	t.Helper()
	a := account.NewAccount(id, "sip:"+id+"@127.0.0.1")
	a.Enabled = false
	if err := m.SaveAccount(context.Background(), a, password, false); err != nil {
		t.Fatal(err)
	}
}

// removeLocked removes id on the locked keyring and checks the account
// is gone from the file and its entry is pending.
func removeLocked(t *testing.T, m *account.Manager, dir, id string) {
	t.Helper()
	err := m.RemoveAccount(context.Background(), id)
	if !errors.Is(err, account.ErrPasswordPending) {
		t.Fatalf("RemoveAccount on the locked keyring: %v; want ErrPasswordPending", err)
	}
	t.Logf("remove on a locked keyring: %v", err)
	for _, a := range mustLoad(t, dir) {
		if a.ID == id {
			t.Errorf("%s still in the accounts file", id)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, account.PendingFile))
	if err != nil || !strings.Contains(string(b), `"`+id+`"`) {
		t.Errorf("pending file: %q, %v", b, err)
	}
}

func mustLoad(t *testing.T, dir string) []account.Account {
	t.Helper()
	list, err := account.LoadAccounts(dir)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func assertGone(t *testing.T, id string) {
	t.Helper()
	if _, err := account.NewVault().Get(context.Background(), id); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the keyring still answers for %s: %v", id, err)
	}
}
