package account_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

// The account package never depends on the UI toolkit or the UI package:
// the UI uses the Manager through its own interfaces.
func TestAccountDoesNotImportUI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.HasSuffix(dep, "/parley/ui") || strings.Contains(dep, "/parley/ui/") {
			t.Errorf("account depends on %s", dep)
		}
	}
}

// With no account and no keyring the Manager is the direct client: it
// starts, chats peer to peer, and its stream ends after Close.
func TestManagerDirectOnly(t *testing.T) {
	m, rec := newManager(t, nil, account.ManagerConfig{})
	peer, prec := directPeer(t, "peer")
	ctx := context.Background()
	id, err := m.SendMessage(ctx, peer.AOR(), "hello peer")
	if err != nil {
		t.Fatal(err)
	}
	got := prec.wait(t, "message", isMsg("hello peer")).(sipclient.MessageReceived)
	if got.From != m.AOR() {
		t.Errorf("peer got it from %s, want %s", got.From, m.AOR())
	}
	rec.wait(t, "sent", isStatus(id, sipclient.MsgSent))
	if len(m.Accounts()) != 0 {
		t.Errorf("accounts: %v", m.Accounts())
	}
	m.Close()
	rec.waitClosed(t, 10*time.Second)
	if _, err := m.SendMessage(ctx, peer.AOR(), "after close"); !errors.Is(err, sipclient.ErrClosed) {
		t.Errorf("send after Close: %v", err)
	}
}

// An account's domain goes through its client at the server, anything
// else directly: messages, presence both ways, history and a retry.
func TestManagerRoutesThroughAccount(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	dir := filepath.Join(t.TempDir(), "config")
	m, rec := newManager(t, srv, account.ManagerConfig{Session: account.NewSessionVault(), Dir: dir})
	bob, brec := serverPeer(t, srv, "bob")
	peer, prec := directPeer(t, "peer")
	ctx := context.Background()

	alice := aliceAccount(srv)
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], true); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "alice registered", isReg(alice.AOR, sipclient.RegRegistered))

	if _, err := m.SendMessage(ctx, "sip:bob@parley.test", "via the server"); err != nil {
		t.Fatal(err)
	}
	if got := brec.wait(t, "message", isMsg("via the server")).(sipclient.MessageReceived); got.From != alice.AOR {
		t.Errorf("bob got it from %s, want %s", got.From, alice.AOR)
	}
	if _, err := m.SendMessage(ctx, peer.AOR(), "directly"); err != nil {
		t.Fatal(err)
	}
	if got := prec.wait(t, "message", isMsg("directly")).(sipclient.MessageReceived); got.From != m.AOR() {
		t.Errorf("peer got it from %s, want the direct address %s", got.From, m.AOR())
	}
	if _, err := bob.SendMessage(ctx, alice.AOR, "hi alice"); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "bob's message", isMsg("hi alice"))

	checkPresenceViaServer(t, m, rec, bob, brec)
	checkSharedHistory(t, m, peer.AOR())
	checkRetryThroughAccount(t, m, rec)
	assertNoPassword(t, dir, kamUsers["alice"])
}

// bob watches alice through the server and sees the Manager's status;
// the Manager watches bob through the account.
func checkPresenceViaServer(t *testing.T, m *account.Manager, rec *recorder, bob *sipclient.Client, brec *recorder) {
	t.Helper()
	ctx := context.Background()
	if err := bob.Subscribe(ctx, "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "alice open", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.URI == "sip:alice@parley.test" && p.Basic == sipclient.BasicOpen
	})
	if err := m.SetPresence(ctx, sipclient.Presence{Status: sipclient.StatusAway, Note: "at lunch"}); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "alice away", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.URI == "sip:alice@parley.test" && p.Activity == "away" && p.Note == "at lunch"
	})
	if err := m.Subscribe(ctx, "sip:bob@parley.test"); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "bob open", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.URI == "sip:bob@parley.test" && p.Basic == sipclient.BasicOpen
	})
	if err := m.Unsubscribe(ctx, pid("sip:bob@parley.test")); err != nil {
		t.Errorf("unsubscribe: %v", err)
	}
}

// Both identities write to the one history the Manager reads.
func checkSharedHistory(t *testing.T, m *account.Manager, peer string) {
	t.Helper()
	ctx := context.Background()
	for peer, want := range map[string][]string{"sip:bob@parley.test": {"via the server", "hi alice"}, peer: {"directly"}} {
		msgs, err := m.History(ctx, pid(peer), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, msg := range msgs {
			texts = append(texts, msg.Text)
		}
		for _, w := range want {
			if !strings.Contains(strings.Join(texts, "\n"), w) {
				t.Errorf("history with %s: %q, want %q", peer, texts, w)
			}
		}
	}
	if found, err := m.Search(ctx, "server", 10); err != nil || len(found) != 1 {
		t.Errorf("search: %v %v", found, err)
	}
}

// A message to an unknown user of the account's domain is refused by the
// server (404, not retried by itself); the user's retry goes through the
// account again, so the server refuses it again. The direct client would
// not reach parley.test at all (no such domain), so the 404 proves the
// route.
func checkRetryThroughAccount(t *testing.T, m *account.Manager, rec *recorder) {
	t.Helper()
	ctx := context.Background()
	id, err := m.SendMessage(ctx, "sip:nobody@parley.test", "anyone there?")
	if err != nil {
		t.Fatal(err)
	}
	is404 := func(e sipclient.Event) bool {
		s, ok := e.(sipclient.MessageStatus)
		return ok && s.ID == id && s.Status == sipclient.MsgFailed && s.Code == 404 && s.RetryAt.IsZero()
	}
	_, first := rec.waitFrom(t, 0, "404", is404)
	if err := m.RetryMessage(ctx, id); err != nil {
		t.Fatal(err)
	}
	rec.waitFrom(t, first+1, "404 after the retry", is404)
	if err := m.RetryMessage(ctx, 123456789); err == nil {
		t.Error("retrying an unknown message succeeded")
	}
	if err := m.DeleteMessage(ctx, id); err != nil {
		t.Fatalf("deleting the failed message: %v", err)
	}
	if h, err := m.History(ctx, pid("sip:nobody@parley.test"), 0, 10); err != nil || len(h) != 0 {
		t.Errorf("history after the delete: %v %v", h, err)
	}
	if err := m.DeleteMessage(ctx, id); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}
}

// Removing an account unregisters it, forgets its password and drops it
// from the file; its domain goes direct again.
func TestManagerRemoveAccount(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	keys := newFakeKeyring()
	dir := filepath.Join(t.TempDir(), "config")
	m, rec := newManager(t, srv, account.ManagerConfig{Passwords: keys, Dir: dir})
	ctx := context.Background()
	alice := aliceAccount(srv)
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], false); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "registered", isReg(alice.AOR, sipclient.RegRegistered))
	if pw, err := keys.Get(ctx, alice.ID); pw != kamUsers["alice"] || err != nil {
		t.Fatalf("keyring holds %q, %v", pw, err)
	}
	assertNoPassword(t, dir, kamUsers["alice"])

	if err := m.RemoveAccount(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "unregistered", isReg(alice.AOR, sipclient.RegUnregistered))
	if _, err := keys.Get(ctx, alice.ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("password still in the keyring: %v", err)
	}
	if saved, err := account.LoadAccounts(dir); err != nil || len(saved) != 0 || len(m.Accounts()) != 0 {
		t.Errorf("accounts after removal: file %v (%v), manager %v", saved, err, m.Accounts())
	}
	if err := m.RemoveAccount(ctx, alice.ID); !errors.Is(err, account.ErrNoSuchAccount) {
		t.Errorf("second removal: %v", err)
	}
}

// Saving an account again restarts it: the old client's last events come
// before the new one's, in order.
func TestManagerSaveRestartsAccount(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	m, rec := newManager(t, srv, account.ManagerConfig{Passwords: newFakeKeyring()})
	ctx := context.Background()
	alice := aliceAccount(srv)
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], false); err != nil {
		t.Fatal(err)
	}
	_, first := rec.waitFrom(t, 0, "registered", isReg(alice.AOR, sipclient.RegRegistered))
	alice.DisplayName = "Alice at work"
	if err := m.SaveAccount(ctx, alice, "", false); err != nil { // the saved password
		t.Fatal(err)
	}
	_, gone := rec.waitFrom(t, first+1, "unregistered", isReg(alice.AOR, sipclient.RegUnregistered))
	rec.waitFrom(t, gone+1, "registered again", isReg(alice.AOR, sipclient.RegRegistered))
	if got := m.Accounts(); len(got) != 1 || got[0].DisplayName != "Alice at work" {
		t.Errorf("accounts: %+v", got)
	}
	// Close unregisters, and the stream ends after that last event.
	m.Close()
	rec.waitClosed(t, 10*time.Second)
	if n := rec.count(isReg(alice.AOR, sipclient.RegUnregistered)); n != 2 {
		t.Errorf("%d unregistrations, want 2 (restart, close)", n)
	}
}

// TestAccount says in words what failed, and leaves nothing behind.
func TestManagerTestAccount(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	keys := newFakeKeyring()
	m, rec := newManager(t, srv, account.ManagerConfig{Passwords: keys})
	ctx := context.Background()
	alice := aliceAccount(srv)

	err := m.TestAccount(ctx, alice, "not-the-password")
	var re *account.RegistrationError
	if err == nil || !strings.Contains(err.Error(), "wrong password") || !errors.As(err, &re) || re.StatusCode() != 401 {
		t.Errorf("wrong password: %v", err)
	}
	if err := m.TestAccount(ctx, alice, kamUsers["alice"]); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := m.TestAccount(ctx, alice, ""); err == nil || !strings.Contains(err.Error(), "no password is saved") {
		t.Errorf("no saved password: %v", err)
	}
	keys.Set(ctx, alice.ID, kamUsers["alice"])
	if err := m.TestAccount(ctx, alice, ""); err != nil {
		t.Errorf("saved password: %v", err)
	}
	dead := alice
	dead.Registrar = "sip:127.0.0.1:1;transport=tcp"
	if err := m.TestAccount(ctx, dead, kamUsers["alice"]); err == nil || !strings.Contains(err.Error(), "cannot reach the server") {
		t.Errorf("no server: %v", err)
	}
	if len(m.Accounts()) != 0 || rec.count(func(e sipclient.Event) bool { _, ok := e.(sipclient.RegistrationChanged); return ok }) != 0 {
		t.Errorf("a test left an account or events behind: %v", m.Accounts())
	}
}

// A keyring that cannot give the password at startup is reported as a
// failed registration saying what to do; New does not wait for it; a
// password typed for the session then signs the account in, and the
// subscription made meanwhile starts through it.
func TestManagerKeyringError(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	keys := newFakeKeyring()
	keys.getErr, keys.delay = account.ErrKeyringLocked, 500*time.Millisecond
	alice := aliceAccount(srv)
	start := time.Now()
	m, rec := newManager(t, srv, account.ManagerConfig{Passwords: keys, Accounts: []account.Account{alice}})
	if d := time.Since(start); d > 400*time.Millisecond {
		t.Errorf("NewManager took %v: it waited for the keyring", d)
	}
	ev := rec.wait(t, "failed", isReg(alice.AOR, sipclient.RegFailed)).(sipclient.RegistrationChanged)
	want := account.ErrKeyringLocked.Error() + "; enter the password in Accounts… to use it for this session"
	if ev.Reason != want {
		t.Errorf("reason %q, want %q", ev.Reason, want)
	}
	ctx := context.Background()
	// A message to an account that is not signed in is kept, shown as
	// waiting for it, and sent once it signs in.
	id, err := m.SendMessage(ctx, "sip:bob@parley.test", "not yet")
	if err != nil {
		t.Fatalf("send through an account not signed in: %v", err)
	}
	st := rec.wait(t, "waiting", func(e sipclient.Event) bool { s, ok := e.(sipclient.MessageStatus); return ok && s.ID == id }).(sipclient.MessageStatus)
	if st.Status != sipclient.MsgFailed || !strings.Contains(st.Reason, "not signed in") {
		t.Errorf("status %+v, want failed: not signed in", st)
	}
	// A kept message can be deleted before the account signs in; then it
	// is never sent.
	gone, err := m.SendMessage(ctx, "sip:bob@parley.test", "never mind")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DeleteMessage(ctx, gone); err != nil {
		t.Errorf("deleting a kept message: %v", err)
	}
	_, bob := serverPeer(t, srv, "bob")
	if err := m.Subscribe(ctx, "sip:bob@parley.test"); err != nil {
		t.Fatal(err)
	}

	keys.setErr = account.ErrNoKeyring
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], false); !errors.Is(err, account.ErrNoKeyring) {
		t.Fatalf("save with no keyring: %v", err)
	}
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], true); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "registered with the session password", isReg(alice.AOR, sipclient.RegRegistered))
	rec.wait(t, "bob open", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.URI == "sip:bob@parley.test" && p.Basic == sipclient.BasicOpen
	})
	bob.wait(t, "the kept message", func(e sipclient.Event) bool { m, ok := e.(sipclient.MessageReceived); return ok && m.Text == "not yet" })
	rec.wait(t, "sent at last", func(e sipclient.Event) bool {
		s, ok := e.(sipclient.MessageStatus)
		return ok && s.ID == id && s.Status == sipclient.MsgSent
	})
	if h, _ := m.History(ctx, pid("sip:bob@parley.test"), 0, 10); len(h) != 1 || h[0].Text != "not yet" {
		t.Errorf("history with bob: %+v, want only the kept message that was not deleted", h)
	}
	if n := bob.count(func(e sipclient.Event) bool { _, ok := e.(sipclient.MessageReceived); return ok }); n != 1 {
		t.Errorf("bob got %d messages, want 1: the deleted one went out", n)
	}
}
