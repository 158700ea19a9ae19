package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// PendingFile, in the config directory, lists the keyring entries of
// removed accounts that the keyring could not delete yet (it was locked,
// or did not answer). It holds account IDs only, never a password.
const PendingFile = "keyring-pending.json"

// ErrPasswordPending: the account is removed, but its saved password
// stays in the keyring until the keyring opens; Parley deletes it then.
var ErrPasswordPending = errors.New("the account is removed; Parley will remove its saved password from the keyring when the keyring is unlocked")

// ErrPasswordKept: the account is removed, but its saved password could
// be neither deleted nor remembered for later (the settings directory
// could not be written); it stays in the keyring.
var ErrPasswordKept = errors.New("the account is removed, but its saved password is still in the keyring")

type pendingDoc struct {
	// Delete names keyring entries (service KeyringService, user = the
	// account ID) to delete when the keyring opens.
	Delete []string `json:"delete"`
}

// loadPending reads the pending deletions of dir; a missing file is none.
func loadPending(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, PendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: read pending keyring deletions: %w", err)
	}
	var doc pendingDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("account: %s is damaged: %w", PendingFile, err)
	}
	return doc.Delete, nil
}

// savePending writes the list, or removes the file when it is empty.
func savePending(dir string, ids []string) error {
	path := filepath.Join(dir, PendingFile)
	if len(ids) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("account: clear pending keyring deletions: %w", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(pendingDoc{Delete: ids}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("account: save pending keyring deletions: %w", err)
	}
	return nil
}

// editPending applies edit to the pending list on disk.
func (m *Manager) editPending(edit func([]string) []string) error {
	if m.cfg.Dir == "" {
		return errors.New("account: no settings directory for pending keyring deletions")
	}
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	ids, err := loadPending(m.cfg.Dir)
	if err != nil {
		m.log.Warn("pending keyring deletions unreadable: starting a new list", "error", err)
	}
	return savePending(m.cfg.Dir, edit(ids))
}

// isPending reports whether id's keyring entry waits to be deleted.
func (m *Manager) isPending(id string) bool {
	if m.cfg.Dir == "" {
		return false
	}
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	ids, _ := loadPending(m.cfg.Dir)
	return slices.Contains(ids, id)
}

// addPending remembers that id's keyring entry is to be deleted.
func (m *Manager) addPending(id string) error {
	return m.editPending(func(ids []string) []string {
		if slices.Contains(ids, id) {
			return ids
		}
		return append(ids, id)
	})
}

// dropPending forgets id: its entry is gone, or holds a new password.
func (m *Manager) dropPending(id string) {
	if m.cfg.Dir == "" {
		return // nothing can be pending
	}
	if err := m.editPending(func(ids []string) []string {
		return slices.DeleteFunc(ids, func(s string) bool { return s == id })
	}); err != nil {
		m.log.Warn("pending keyring deletions", "error", err)
	}
}

// PendingDeletions lists the keyring entries (account IDs) still to be
// deleted once the keyring opens.
func (m *Manager) PendingDeletions() []string {
	if m.cfg.Dir == "" {
		return nil
	}
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	ids, _ := loadPending(m.cfg.Dir)
	return ids
}

// keyringOpened deletes the pending entries in the background: the
// keyring just answered (a password was read or saved) or announced an
// unlock, so it is open now. One sweep runs at a time.
func (m *Manager) keyringOpened() { m.sweep(false) }

// sweepAtStart deletes the entries of accounts removed while the keyring
// was locked, unless it is locked still: a delete would then bring up an
// unlock prompt for cleaning alone; the unlock watch sweeps later.
func (m *Manager) sweepAtStart() { m.sweep(true) }

func (m *Manager) sweep(unlessLocked bool) {
	if m.cfg.Passwords == nil || len(m.PendingDeletions()) == 0 || !m.sweeping.CompareAndSwap(false, true) {
		return
	}
	done, err := m.begin()
	if err != nil {
		m.sweeping.Store(false)
		return
	}
	go func() {
		defer done()
		defer m.sweeping.Store(false)
		if w, ok := m.cfg.Passwords.(unlockWatcher); ok && unlessLocked {
			if locked, err := w.Locked(m.ctx); err == nil && locked {
				m.log.Info("keyring locked: pending deletions wait for it to be unlocked")
				return
			}
		}
		m.sweepPending()
	}()
}

// sweepPending tries to delete each pending entry once; what the keyring
// still refuses stays for the next time it opens. Close does not cut the
// keyring call under way short (it is bounded by the keyring timeout),
// so a sweep that began always makes its first attempt; no other starts
// after Close began.
func (m *Manager) sweepPending() {
	for _, id := range m.PendingDeletions() {
		err := m.sweepOne(id)
		if errors.Is(err, ErrKeyringLocked) || errors.Is(err, ErrKeyringTimeout) || errors.Is(err, ErrNoKeyring) {
			return // the keyring closed again: the rest would fail alike
		}
		if m.ctx.Err() != nil {
			return // closing
		}
	}
}

// sweepOne deletes id's entry under the account's lock, so a password
// saved anew under the same ID meanwhile (which drops id from the list)
// is never deleted.
func (m *Manager) sweepOne(id string) error {
	defer m.lockAccount(id)()
	if !slices.Contains(m.PendingDeletions(), id) {
		return nil
	}
	err := m.keyringDelete(context.WithoutCancel(m.ctx), id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		m.log.Info("keyring entry of a removed account not deleted yet", "account", id, "error", err)
		return err
	}
	m.log.Info("deleted the keyring entry of a removed account", "account", id)
	m.dropPending(id)
	return nil
}
