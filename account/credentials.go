package account

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// KeyringService is the service name Parley's passwords are filed under
// in the OS keyring; the keyring user is the account ID.
const KeyringService = "parley"

// DefaultKeyringTimeout bounds every keyring call: a Secret Service may
// wait forever on an unlock dialog nobody sees.
const DefaultKeyringTimeout = 5 * time.Second

// Errors from a PasswordStore, for errors.Is. Their messages tell the user
// what to do.
var (
	ErrNoKeyring      = errors.New("no Secret Service is available: install and start gnome-keyring (or another Secret Service provider) in your session")
	ErrKeyringLocked  = errors.New("the keyring is locked: unlock it")
	ErrKeyringTimeout = errors.New("the keyring did not answer in time: it may be waiting for you to unlock it; unlock it and try again")
	ErrNotFound       = errors.New("no password is saved for this account")
	ErrKeyring        = errors.New("the keyring failed")
	ErrEmptyAccountID = errors.New("account: empty account ID")
	ErrEmptyPassword  = errors.New("account: empty password")
)

// PasswordStore keeps account passwords: Vault in the OS keyring, or
// SessionVault in memory when the user chose "for this session only".
type PasswordStore interface {
	Set(ctx context.Context, accountID, password string) error
	Get(ctx context.Context, accountID string) (string, error)
	Delete(ctx context.Context, accountID string) error
}

// Vault keeps passwords in the OS keyring (the Secret Service on Linux).
// Every call runs in its own goroutine and gives up after the timeout
// with ErrKeyringTimeout; the abandoned call may still finish later.
// Call it off the UI thread: it blocks for up to the timeout.
type Vault struct {
	backend keyringBackend
	timeout time.Duration
}

// VaultOption configures a Vault.
type VaultOption func(*Vault)

// WithKeyringTimeout sets how long a keyring call may take (default
// DefaultKeyringTimeout); d <= 0 keeps the default.
func WithKeyringTimeout(d time.Duration) VaultOption {
	return func(v *Vault) {
		if d > 0 {
			v.timeout = d
		}
	}
}

// NewVault returns a Vault on the OS keyring.
func NewVault(opts ...VaultOption) *Vault {
	v := &Vault{backend: osKeyring{}, timeout: DefaultKeyringTimeout}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Set saves the password of accountID, replacing any earlier one.
func (v *Vault) Set(ctx context.Context, accountID, password string) error {
	if err := checkEntry(accountID, password, true); err != nil {
		return err
	}
	_, err := v.call(ctx, "save", accountID, func() (string, error) {
		return "", v.backend.Set(KeyringService, accountID, password)
	})
	return err
}

// Get returns the password of accountID, or ErrNotFound.
func (v *Vault) Get(ctx context.Context, accountID string) (string, error) {
	if err := checkEntry(accountID, "", false); err != nil {
		return "", err
	}
	return v.call(ctx, "read", accountID, func() (string, error) {
		return v.backend.Get(KeyringService, accountID)
	})
}

// Delete removes the password of accountID; ErrNotFound if there was none.
func (v *Vault) Delete(ctx context.Context, accountID string) error {
	if err := checkEntry(accountID, "", false); err != nil {
		return err
	}
	_, err := v.call(ctx, "delete", accountID, func() (string, error) {
		return "", v.backend.Delete(KeyringService, accountID)
	})
	return err
}

// call runs f in its own goroutine, bounded by the timeout and ctx.
func (v *Vault) call(ctx context.Context, op, accountID string, f func() (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned call never blocks
	go func() {
		s, err := f()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("account %q: %s password: %w", accountID, op, classify(r.err))
		}
		return r.s, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("account %q: %s password: %w: %w", accountID, op, ErrKeyringTimeout, ctx.Err())
		}
		return "", fmt.Errorf("account %q: %s password: %w", accountID, op, ctx.Err())
	}
}

func checkEntry(accountID, password string, setting bool) error {
	if accountID == "" {
		return ErrEmptyAccountID
	}
	if setting && password == "" {
		return ErrEmptyPassword
	}
	return nil
}

// SessionVault keeps passwords in memory for this run of Parley only,
// for a user without a keyring who chose to type the password each
// session. Nothing is ever written to disk. Safe for concurrent use.
type SessionVault struct {
	mu        sync.Mutex
	passwords map[string]string
}

// NewSessionVault returns an empty SessionVault.
func NewSessionVault() *SessionVault {
	return &SessionVault{passwords: map[string]string{}}
}

// Set remembers the password of accountID until the program exits.
func (s *SessionVault) Set(ctx context.Context, accountID, password string) error {
	if err := checkEntry(accountID, password, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passwords[accountID] = password
	return nil
}

// Get returns the password typed this session, or ErrNotFound.
func (s *SessionVault) Get(ctx context.Context, accountID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passwords[accountID]
	if !ok {
		return "", fmt.Errorf("account %q: %w (this session)", accountID, ErrNotFound)
	}
	return p, nil
}

// Delete forgets the password of accountID; ErrNotFound if there was none.
func (s *SessionVault) Delete(ctx context.Context, accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.passwords[accountID]; !ok {
		return fmt.Errorf("account %q: %w (this session)", accountID, ErrNotFound)
	}
	delete(s.passwords, accountID)
	return nil
}
