package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// regLineOf is the main window's line about aor, or nil.
func regLineOf(a *App, aor string) *regLine {
	for _, l := range a.accts.reg.line {
		if l.key == accountKey(aor) {
			return l
		}
	}
	return nil
}

// An account's failure line closes with ✕ and stays closed while the
// same failure repeats; a new state (signed in, another failure) shows
// again.
func TestAccountLineDismissed(t *testing.T) {
	a, _, _ := newTestApp(t)
	failed := sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Code: 503, Reason: "Service Unavailable", RetryIn: 30 * time.Second}
	a.applyBatch([]sipclient.Event{failed})
	l := regLineOf(a, alice)
	if l == nil || !shows(a.win, "alice@parley.test: not registered.") || !l.dismiss.Visible() {
		t.Fatalf("no failure line with ✕: %q", shownTexts(a.win))
	}
	test.Tap(l.dismiss)
	if shows(a.win, "alice@parley.test") {
		t.Fatalf("✕ left the line: %q", shownTexts(a.win))
	}
	a.applyBatch([]sipclient.Event{failed}) // the retry failed alike
	if shows(a.win, "alice@parley.test") {
		t.Errorf("the same failure came back after ✕: %q", shownTexts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegRegistered, Code: 200}})
	if !showsLine(a.win, "alice@parley.test: registered") {
		t.Errorf("signed in, but not shown: %q", shownTexts(a.win))
	}
	if l := regLineOf(a, alice); l == nil || l.dismiss.Visible() {
		t.Errorf("a registered line offers ✕")
	}
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Code: 401, Reason: "wrong password"}})
	if !shows(a.win, "Wrong user name or password") {
		t.Errorf("a new failure after ✕ is not shown: %q", shownTexts(a.win))
	}
}

// A failure line goes when the cause goes: the account signs in,
// is disabled, or is removed.
func TestAccountLineGoesWithItsCause(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	bob := account.NewAccount("bob", "sip:bob@other.test")
	svc := &fakeAccounts{accounts: []account.Account{acc, bob}}
	a, w := openAccounts(t, svc)
	fail := func(aor string) {
		a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: aor, State: sipclient.RegFailed, Code: 408, Reason: "Request Timeout", RetryIn: time.Minute}})
	}
	fail(alice)
	fail(bob.AOR)
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegRegistered, Code: 200}})
	if shows(a.win, "alice@parley.test: not registered") || !showsLine(a.win, "alice@parley.test: registered") {
		t.Errorf("signed in, the failure stays: %q", shownTexts(a.win))
	}
	fail(alice)
	w.showForm(acc, false)
	w.form.enabled.SetChecked(false)
	test.Tap(w.form.save)
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegUnregistered}}) // the client stopped
	if shows(a.win, "alice@parley.test") {
		t.Errorf("disabled, the line stays: %q", shownTexts(a.win))
	}
	w.remove(bob)
	if shows(a.win, "bob@other.test") {
		t.Errorf("removed, the line stays: %q", shownTexts(a.win))
	}
}

// Removing an account while the keyring is locked removes it, and says
// in words what happens to its password.
func TestRemoveWithLockedKeyringSaysSo(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc},
		removeErr: fmt.Errorf("%w (%w)", account.ErrPasswordPending, account.ErrKeyringLocked)}
	a, w := openAccounts(t, svc)
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Code: 503}})
	w.confirmRemove(acc)
	o := topOverlay(w.win)
	if o == nil {
		t.Fatal("no confirmation")
	}
	tapButton(t, o, "Remove")
	want := "alice@parley.test is removed. Parley will remove the saved password from the keyring when it is unlocked."
	if !showsLine(w.win, want) || !shows(w.win, "No accounts yet") {
		t.Errorf("accounts window: %q", shownTexts(w.win))
	}
	if shows(a.win, "alice@parley.test") {
		t.Errorf("main window keeps the removed account's line: %q", shownTexts(a.win))
	}
}

// An account removed whose password could be neither deleted nor noted
// for later is still removed, and the user is told to remove the
// password themselves.
func TestRemoveWithPasswordKeptSaysSo(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc},
		removeErr: fmt.Errorf("account %q: %w: %w", "alice", account.ErrPasswordKept, account.ErrKeyringLocked)}
	_, w := openAccounts(t, svc)
	w.confirmRemove(acc)
	tapButton(t, topOverlay(w.win), "Remove")
	if !shows(w.win, "alice@parley.test is removed. Its saved password could not be removed from the keyring") || !shows(w.win, "No accounts yet") {
		t.Errorf("accounts window: %q", shownTexts(w.win))
	}
}
