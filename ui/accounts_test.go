package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// fakeAccounts is an AccountService in memory. saveErr, when set, fails
// every SaveAccount that is not session-only (a keyring in trouble).
type fakeAccounts struct {
	mu       sync.Mutex
	accounts []account.Account
	saves    []fakeSave
	removed  []string
	tests    int
	saveErr  error
	testErr  error
	// removeErr is returned by RemoveAccount after the account is gone
	// (account.ErrPasswordPending: a locked keyring).
	removeErr error
}

type fakeSave struct {
	acc         account.Account
	password    string
	sessionOnly bool
}

func (f *fakeAccounts) Accounts() []account.Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]account.Account(nil), f.accounts...)
}

func (f *fakeAccounts) SaveAccount(_ context.Context, a account.Account, password string, sessionOnly bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves = append(f.saves, fakeSave{a, password, sessionOnly})
	if err := a.Validate(); err != nil {
		return err
	}
	if f.saveErr != nil && !sessionOnly && password != "" {
		return fmt.Errorf("account %q: save password: %w", a.ID, f.saveErr)
	}
	for i := range f.accounts {
		if f.accounts[i].ID == a.ID {
			f.accounts[i] = a
			return nil
		}
	}
	f.accounts = append(f.accounts, a)
	return nil
}

func (f *fakeAccounts) RemoveAccount(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, id)
	for i := range f.accounts {
		if f.accounts[i].ID == id {
			f.accounts = append(f.accounts[:i], f.accounts[i+1:]...)
			return f.removeErr
		}
	}
	return errors.New("no such account")
}

func (f *fakeAccounts) TestAccount(context.Context, account.Account, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tests++
	return f.testErr
}

var _ AccountService = (*fakeAccounts)(nil)

const alice = "sip:alice@parley.test"

// shows reports whether the user can see s in w.
func shows(w fyne.Window, s string) bool {
	return slices.ContainsFunc(shownTexts(w), func(t string) bool { return strings.Contains(t, s) })
}

// showsLine reports whether a label or text in w reads exactly s.
func showsLine(w fyne.Window, s string) bool {
	return slices.Contains(shownTexts(w), s)
}

// openAccounts builds the test app with svc and opens the account settings.
func openAccounts(t *testing.T, svc *fakeAccounts) (*App, *accountsWindow) {
	t.Helper()
	fa := test.NewTempApp(t)
	r, _ := account.OpenBook(t.TempDir(), sipclient.Ask)
	a := New(fa, newFakeCore(), r, Options{Accounts: svc})
	a.bg = func(f func()) { f() } // deterministic: background work inline
	a.accts.reg.every = nil       // no countdown goroutine (TestRegistrationCountsDown drives one)
	a.win.Resize(fyne.NewSize(400, 600))
	a.win.Show()
	if !a.accts.button.Visible() {
		t.Fatal("Accounts… hidden with an account service")
	}
	test.Tap(a.accts.button)
	w := a.accts.win
	if w == nil {
		t.Fatal("Accounts… opened no window")
	}
	w.win.Resize(fyne.NewSize(440, 700))
	return a, w
}

// addAccount opens the add form and types an address and a password.
func addAccount(t *testing.T, w *accountsWindow, aor, password string) *accountForm {
	t.Helper()
	test.Tap(w.addBtn)
	f := w.form
	if f == nil || !shows(w.win, "Add account") {
		t.Fatalf("no add form: %q", shownTexts(w.win))
	}
	test.Type(f.aor, aor)
	test.Type(f.password, password)
	return f
}

func TestAccountsHiddenWithoutService(t *testing.T) {
	a, _, _ := newTestApp(t)
	if a.accts.button.Visible() {
		t.Error("Accounts… shown without an account service")
	}
	a.showAccounts()
	if a.accts.win != nil {
		t.Error("account settings opened without an account service")
	}
}

func TestAddAccountBadAddressShowsWhy(t *testing.T) {
	svc := &fakeAccounts{}
	_, w := openAccounts(t, svc)
	if !shows(w.win, "No accounts yet") {
		t.Errorf("empty list: %q", shownTexts(w.win))
	}
	f := addAccount(t, w, "alice", "s3cret")
	if !shows(w.win, `Address "alice": write it as sip:user@host or sips:user@host.`) {
		t.Errorf("bad address not explained: %q", shownTexts(w.win))
	}
	test.Tap(f.save)
	if len(svc.saves) != 0 || w.form != f {
		t.Errorf("invalid account saved: %+v", svc.saves)
	}
	f.aor.SetText(alice)
	f.interval.SetText("ten")
	if !shows(w.win, "write a number of seconds") {
		t.Errorf("bad interval not explained: %q", shownTexts(w.win))
	}
	f.interval.SetText("10")
	if !shows(w.win, "Register interval 10 s: use 60 to 86400 seconds.") {
		t.Errorf("short interval not explained: %q", shownTexts(w.win))
	}
}

func TestSaveAccountSendsPassword(t *testing.T) {
	svc := &fakeAccounts{}
	_, w := openAccounts(t, svc)
	f := addAccount(t, w, alice, "s3cret")
	test.Type(f.name, "Alice")
	f.transport.SetSelected("TLS")
	if f.tlsWarning.Visible() {
		t.Error("certificate warning shown with checks on")
	}
	test.Tap(f.verify)
	if !f.tlsWarning.Visible() || !shows(w.win, "Certificate checks are off") {
		t.Errorf("no warning with certificate checks off: %q", shownTexts(w.win))
	}
	test.Tap(f.verify)
	test.Tap(f.save)
	if len(svc.saves) != 1 {
		t.Fatalf("saves: %+v", svc.saves)
	}
	s := svc.saves[0]
	if s.password != "s3cret" || s.sessionOnly || s.acc.AOR != alice || s.acc.DisplayName != "Alice" ||
		s.acc.Transport != account.TransportTLS || !s.acc.VerifyTLS || s.acc.ID == "" ||
		s.acc.RegisterInterval != account.DefaultRegisterInterval || !s.acc.Enabled {
		t.Errorf("saved %+v", s)
	}
	if w.form != nil || !shows(w.win, "Alice <alice@parley.test>") || !shows(w.win, "alice@parley.test: not registered yet") {
		t.Errorf("list after save: %q", shownTexts(w.win))
	}
}

func TestEditAccountKeepsPasswordWhenEmpty(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc}}
	_, w := openAccounts(t, svc)
	w.showForm(acc, false)
	f := w.form
	if f.aor.Text != alice || f.password.Text != "" || !shows(w.win, "Edit account") {
		t.Fatalf("edit form: %q", shownTexts(w.win))
	}
	test.Type(f.registrar, "sip:sip.parley.test")
	test.Tap(f.save)
	if len(svc.saves) != 1 || svc.saves[0].password != "" || svc.saves[0].acc.ID != "alice" || svc.saves[0].acc.Registrar != "sip:sip.parley.test" {
		t.Errorf("saves %+v", svc.saves)
	}
}

func TestKeyringLockedOffersSessionOnly(t *testing.T) {
	svc := &fakeAccounts{saveErr: account.ErrKeyringLocked}
	_, w := openAccounts(t, svc)
	f := addAccount(t, w, alice, "s3cret")
	if f.sessionOnly.Visible() {
		t.Error("session-only choice shown before any keyring trouble")
	}
	test.Tap(f.save)
	if w.form != f || !shows(w.win, "The keyring is locked: unlock it.") {
		t.Fatalf("keyring problem not shown: %q", shownTexts(w.win))
	}
	if !f.sessionOnly.Visible() || !shows(w.win, "Use for this session only") {
		t.Fatalf("no session-only choice: %q", shownTexts(w.win))
	}
	test.Tap(f.sessionOnly)
	if len(svc.saves) != 2 {
		t.Fatalf("saves %+v", svc.saves)
	}
	first, second := svc.saves[0], svc.saves[1]
	if first.sessionOnly || !second.sessionOnly || second.password != "s3cret" || second.acc.ID != first.acc.ID {
		t.Errorf("saves %+v", svc.saves)
	}
	if w.form != nil || !shows(w.win, "alice@parley.test") {
		t.Errorf("list after session-only save: %q", shownTexts(w.win))
	}
}

func TestKeyringMissingSaysWhatToInstall(t *testing.T) {
	svc := &fakeAccounts{saveErr: account.ErrNoKeyring}
	_, w := openAccounts(t, svc)
	f := addAccount(t, w, alice, "s3cret")
	test.Tap(f.save)
	if !shows(w.win, "install and start gnome-keyring") || !f.sessionOnly.Visible() {
		t.Errorf("no keyring: %q", shownTexts(w.win))
	}
}

func TestTestConnectionSaysWhatFailed(t *testing.T) {
	svc := &fakeAccounts{testErr: errors.New("wrong password")}
	_, w := openAccounts(t, svc)
	f := addAccount(t, w, alice, "nope")
	test.Tap(f.test)
	if svc.tests != 1 || !shows(w.win, "Test failed: Wrong user name or password.") {
		t.Errorf("test result: %d tests, %q", svc.tests, shownTexts(w.win))
	}
	svc.testErr = nil
	test.Tap(f.test)
	if !shows(w.win, "The connection works: alice@parley.test") || len(svc.saves) != 0 {
		t.Errorf("test result: %q, saves %+v", shownTexts(w.win), svc.saves)
	}
}

func TestRegistrationLines(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	a, w := openAccounts(t, &fakeAccounts{accounts: []account.Account{acc}})
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegRegistered, Code: 200, Expires: 3600}})
	if !showsLine(a.win, "alice@parley.test: registered") || !showsLine(w.win, "alice@parley.test: registered") {
		t.Fatalf("registered not shown: main %q, accounts %q", shownTexts(a.win), shownTexts(w.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Code: 401, Reason: "wrong password", RetryIn: 30 * time.Second}})
	want := "alice@parley.test: not registered. Wrong user name or password. Check both. Parley tries again in 30 s."
	if !showsLine(a.win, want) || !showsLine(w.win, want) || shows(a.win, ": registered") {
		t.Errorf("failure not shown: main %q, accounts %q", shownTexts(a.win), shownTexts(w.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: "sip:bob@other.test", State: sipclient.RegRegistering}})
	if !showsLine(a.win, "bob@other.test: registering…") || !showsLine(a.win, want) {
		t.Errorf("second account: %q", shownTexts(a.win))
	}
}

func TestRemovedAccountLeavesNoLine(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc}}
	a, w := openAccounts(t, svc)
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegRegistered}})
	w.remove(acc)
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegUnregistered}})
	if len(svc.removed) != 1 || svc.removed[0] != "alice" || shows(a.win, "alice@parley.test") || !shows(w.win, "No accounts yet") {
		t.Errorf("after remove: removed %v, main %q, accounts %q", svc.removed, shownTexts(a.win), shownTexts(w.win))
	}
}

func TestUnsupportedPublicationNotice(t *testing.T) {
	a, _, _ := newTestApp(t)
	if shows(a.win, "presence publications") {
		t.Fatal("notice shown before any publication")
	}
	a.applyBatch([]sipclient.Event{sipclient.PublicationChanged{AOR: alice, State: sipclient.PubUnsupported, Code: 501}})
	if !shows(a.win, "The server does not take presence publications; contacts who subscribe directly still see your status") {
		t.Errorf("no notice: %q", shownTexts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.PublicationChanged{AOR: alice, State: sipclient.PubPublished, Expires: 3600}})
	if shows(a.win, "presence publications") {
		t.Errorf("notice stays after a publication went through: %q", shownTexts(a.win))
	}
}

func TestRetryText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30 s", 200 * time.Millisecond: "1 s", 5 * time.Minute: "5 min", 2 * time.Hour: "2 h",
	} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
}

// The buddy list is set in the form: saved when it is a sip: URI, and
// explained in words when it is not.
func TestBuddyListInForm(t *testing.T) {
	svc := &fakeAccounts{}
	_, w := openAccounts(t, svc)
	f := addAccount(t, w, alice, "s3cret")
	f.buddies.SetText("alice-friends")
	if !shows(w.win, `Buddy list "alice-friends": write it as a sip: URI, like sip:sip.example.com.`) {
		t.Errorf("bad buddy list not explained: %q", shownTexts(w.win))
	}
	f.buddies.SetText("sip:alice-friends@parley.test")
	test.Tap(f.save)
	if len(svc.saves) != 1 || svc.saves[0].acc.BuddyList != "sip:alice-friends@parley.test" {
		t.Fatalf("saves: %+v", svc.saves)
	}
}
