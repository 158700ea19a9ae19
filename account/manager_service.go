package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// ErrNoSuchAccount: no configured account has that ID.
var ErrNoSuchAccount = errors.New("account: no such account")

// SaveAccount validates a and writes the accounts file, stores password
// if one is given (sessionOnly: in memory for this run only), then
// restarts the account's client: the old one is closed (it unregisters)
// and, if a is enabled, a new one starts with the new settings. A keyring
// that cannot store the password comes back as its error (ErrNoKeyring,
// ErrKeyringLocked, ErrKeyringTimeout); the account is saved all the same
// and the running client is left alone, for a session-only retry.
func (m *Manager) SaveAccount(ctx context.Context, a Account, password string, sessionOnly bool) error {
	if err := a.Validate(); err != nil {
		return err
	}
	done, err := m.begin()
	if err != nil {
		return err
	}
	defer done()
	defer m.lockAccount(a.ID)()
	if err := m.writeAccounts(func(list []Account) []Account {
		if i := slices.IndexFunc(list, func(b Account) bool { return b.ID == a.ID }); i >= 0 {
			list[i] = a
			return list
		}
		return append(list, a)
	}); err != nil {
		return err
	}
	if password != "" {
		if err := m.storePassword(ctx, a.ID, password, sessionOnly); err != nil {
			return err
		}
	}
	m.stopAccount(a.ID)
	if a.Enabled {
		m.startAccount(a, password)
	}
	m.replaceSubs() // a disabled account's contacts go direct
	return nil
}

// RemoveAccount stops the account's client (it unregisters), writes the
// accounts file without it and deletes its password. Removing always
// works: a keyring that cannot delete the password now (locked, no
// answer) gets its entry remembered in PendingFile and deleted when it
// next opens, and the error wraps ErrPasswordPending; the account is gone
// all the same. A password typed for this session only never waits on
// the keyring.
func (m *Manager) RemoveAccount(ctx context.Context, id string) error {
	done, err := m.begin()
	if err != nil {
		return err
	}
	defer done()
	defer m.lockAccount(id)()
	if _, ok := m.account(id); !ok {
		return fmt.Errorf("%w: %q", ErrNoSuchAccount, id)
	}
	m.stopAccount(id)
	if err := m.writeAccounts(func(list []Account) []Account {
		return slices.DeleteFunc(list, func(b Account) bool { return b.ID == id })
	}); err != nil {
		return err
	}
	m.replaceSubs() // its contacts go direct now
	m.forgetRosterBase(id)
	return m.deletePassword(ctx, id)
}

// forgetRosterBase deletes what the book and a removed account's server
// list last agreed on: an account added again under its ID starts over
// with a union, never merges against a stale list.
func (m *Manager) forgetRosterBase(id string) {
	if m.cfg.Book == nil || m.cfg.Book.Path() == "" {
		return
	}
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(m.cfg.Book.Path()), "roster-server-"+id+"-*.json"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			m.log.Warn("contact list base of a removed account", "file", f, "error", err)
		}
	}
}

// writeAccounts applies edit to the account list, writes the file and
// then, once it is written, makes the new list and its routes current.
func (m *Manager) writeAccounts(edit func([]Account) []Account) error {
	if m.cfg.Dir == "" {
		return errors.New("account: no settings directory to save accounts in")
	}
	m.fileMu.Lock()
	defer m.fileMu.Unlock()
	list := edit(m.Accounts())
	if err := SaveAccounts(m.cfg.Dir, list); err != nil {
		return err
	}
	m.mu.Lock()
	m.accounts = list
	m.mu.Unlock()
	m.setRoutes(list)
	return nil
}

// storePassword keeps the password in the keyring, or for this session
// only. A password saved in the keyring replaces one typed for the
// session.
func (m *Manager) storePassword(ctx context.Context, id, password string, sessionOnly bool) error {
	if sessionOnly {
		return m.cfg.Session.Set(ctx, id, password)
	}
	if m.cfg.Passwords == nil {
		return fmt.Errorf("account %q: save password: %w", id, ErrNoKeyring)
	}
	kctx, cancel := context.WithTimeout(ctx, DefaultKeyringTimeout)
	defer cancel()
	if err := m.cfg.Passwords.Set(kctx, id, password); err != nil {
		return err
	}
	_ = m.cfg.Session.Delete(ctx, id) // ErrNotFound: none was typed
	m.dropPending(id)                 // the entry holds this password now
	m.keyringOpened()
	return nil
}

// deletePassword forgets id's password in the session and the keyring.
// None saved is fine, and so is no keyring configured: nothing can be in
// it. An account whose password was typed for this session only leaves
// the keyring alone now; an entry from an earlier keyring save is
// deleted quietly when the keyring next opens.
func (m *Manager) deletePassword(ctx context.Context, id string) error {
	if m.cfg.Passwords == nil {
		_ = m.cfg.Session.Delete(ctx, id) // ErrNotFound: none was typed
		return nil
	}
	if m.cfg.Session.Delete(ctx, id) == nil {
		return m.addPending(id)
	}
	err := m.keyringDelete(ctx, id)
	switch {
	case err == nil || errors.Is(err, ErrNotFound):
		m.dropPending(id)
		return nil
	case errors.Is(err, ErrNoKeyring):
		return m.addPending(id) // none here now: nothing to tell, but try when one runs
	}
	m.log.Info("keyring entry kept until the keyring opens", "account", id, "error", err)
	if perr := m.addPending(id); perr != nil {
		return fmt.Errorf("account %q: %w: %w", id, ErrPasswordKept, errors.Join(err, perr))
	}
	return fmt.Errorf("%w (%w)", ErrPasswordPending, err)
}

// keyringDelete deletes id's keyring entry, bounded by the keyring timeout.
func (m *Manager) keyringDelete(ctx context.Context, id string) error {
	kctx, cancel := context.WithTimeout(ctx, DefaultKeyringTimeout)
	defer cancel()
	return m.cfg.Passwords.Delete(kctx, id)
}
