package ui

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
)

// AccountService is what the account settings need; account.Manager implements it. All methods may block (keyring, network): call them through App.bg, never on the Fyne thread.
type AccountService interface {
	Accounts() []account.Account
	// SaveAccount validates and stores a (without the password) and, if password != "", stores it in the keyring (sessionOnly: in memory for this session only), then (re)starts the account. Keyring trouble comes back wrapping account.ErrNoKeyring / ErrKeyringLocked / ErrKeyringTimeout.
	SaveAccount(ctx context.Context, a account.Account, password string, sessionOnly bool) error
	// RemoveAccount removes the account at once and deletes its password; an error wrapping account.ErrPasswordPending means the account is gone but the keyring (locked) deletes the password later.
	RemoveAccount(ctx context.Context, id string) error
	// TestAccount registers once with the given settings and unregisters; the error says in words what failed ("wrong password", "no answer from the server"...).
	TestAccount(ctx context.Context, a account.Account, password string) error
}

// accountUI is the App's account state: the main window's registration
// lines and the account settings window while it is open.
type accountUI struct {
	reg    registrationView
	button *widget.Button  // "Accounts…"; hidden without an AccountService
	win    *accountsWindow // nil while closed
}

// accountsButton is the main window's entry to the account settings.
func (a *App) accountsButton() fyne.CanvasObject {
	a.accts.button = widget.NewButton("Accounts…", a.showAccounts)
	if a.opt.Accounts == nil {
		a.accts.button.Hide()
	}
	return a.accts.button
}

// keyringProblem tells, in words, what to do about a keyring that could
// not store a password; ok is false for any other error.
func keyringProblem(err error) (msg string, ok bool) {
	for _, e := range []error{account.ErrKeyringLocked, account.ErrKeyringTimeout, account.ErrNoKeyring} {
		if errors.Is(err, e) {
			return sentence(e.Error()), true
		}
	}
	return "", false
}

// invalidReason digs the words for the user out of an Account.Validate
// error ("invalid account "x": <reason>"), however deeply it was wrapped.
func invalidReason(err error) (string, bool) {
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		errs := u.Unwrap()
		if len(errs) == 2 && errors.Is(errs[0], account.ErrInvalidAccount) {
			return sentence(errs[1].Error()), true
		}
		for _, e := range errs {
			if s, ok := invalidReason(e); ok {
				return s, true
			}
		}
	case interface{ Unwrap() error }:
		return invalidReason(u.Unwrap())
	}
	return "", false
}

// sentence starts s with a capital letter and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// displayAOR is an address as people write it: without "sip:".
func displayAOR(aor string) string {
	return strings.TrimPrefix(accountKey(aor), "sip:")
}

// newAccountID picks a readable, unused ID for a new account from its
// address: the ID names the password in the keyring.
func newAccountID(aor string, existing []account.Account) string {
	base := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, displayAOR(aor))
	if base == "" {
		base = "account"
	}
	if len(base) > 100 {
		base = strings.ToValidUTF8(base[:100], "")
	}
	taken := func(id string) bool {
		for _, a := range existing {
			if a.ID == id {
				return true
			}
		}
		return false
	}
	id := base
	for n := 2; taken(id); n++ {
		id = base + "-" + itoa(n)
	}
	return id
}
