package account_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient"
)

// The user's IM choices reach an account's client that starts after they
// were set: with typing notices off, alice's account tells bob nothing
// (bob takes them: his 200 said so); on again, it does.
func TestManagerIMPrefsReachLaterClients(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	m, rec := newManager(t, srv, account.ManagerConfig{Session: account.NewSessionVault(), Dir: filepath.Join(t.TempDir(), "config")})
	_, brec := serverPeer(t, srv, "bob")
	ctx := context.Background()
	m.SetIMPrefs(sipclient.IMPrefs{TypingNotices: false, ReadReceipts: true})
	alice := aliceAccount(srv)
	if err := m.SaveAccount(ctx, alice, kamUsers["alice"], true); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "alice registered", isReg(alice.AOR, sipclient.RegRegistered))
	bobURI := "sip:bob@" + srv.Domain()
	id, err := m.SendMessage(ctx, bobURI, "hello bob")
	if err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "sent", isStatus(id, sipclient.MsgSent))
	brec.wait(t, "first", isMsg("hello bob"))

	if err := m.SetTyping(ctx, bobURI, true); err != nil {
		t.Fatal(err)
	}
	m.SendMessage(ctx, bobURI, "sentinel")
	brec.wait(t, "sentinel", isMsg("sentinel"))
	if n := brec.count(func(e sipclient.Event) bool { _, ok := e.(sipclient.TypingChanged); return ok }); n != 0 {
		t.Fatalf("bob saw %d typing changes with typing notices off", n)
	}

	m.SetIMPrefs(sipclient.IMPrefs{TypingNotices: true, ReadReceipts: true})
	if err := m.SetTyping(ctx, bobURI, true); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "alice typing", func(e sipclient.Event) bool {
		tc, ok := e.(sipclient.TypingChanged)
		return ok && tc.Active && tc.URI == alice.AOR
	})
}
