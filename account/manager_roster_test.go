package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/xcap"
)

// TestManagerRosterAndBuddyList: an account with an XCAP root and a
// buddy list at a Kamailio with RLS: the book goes to the server as
// resource-lists and as the buddy list's service in rls-services before
// the account subscribes; watching bob then goes through the list (one
// SUBSCRIBE), and his published state arrives.
func TestManagerRosterAndBuddyList(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, RLS: true})
	bob, _ := serverPeer(t, srv, "bob")
	if err := bob.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusAvailable, Note: "via the list"}); err != nil {
		t.Fatal(err)
	}
	book := account.NewMemoryBook(sipclient.Ask)
	if _, err := book.Add(account.Contact{URI: "sip:bob@parley.test", Name: "Bob", Group: "Work"}); err != nil {
		t.Fatal(err)
	}
	alice := aliceAccount(srv)
	alice.XCAPRoot = srv.XCAPRoot()
	alice.BuddyList = "sip:alice-buddies@parley.test"
	keys := newFakeKeyring()
	keys.Set(context.Background(), alice.ID, kamUsers["alice"])
	m, rec := newManager(t, srv, account.ManagerConfig{Passwords: keys, Accounts: []account.Account{alice}, Book: book,
		Options: []sipclient.Option{sipclient.WithBook(book)}})
	rec.wait(t, "alice registered", isReg(alice.AOR, sipclient.RegRegistered))
	if err := m.Subscribe(context.Background(), "sip:bob@parley.test"); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "list active", func(e sipclient.Event) bool {
		l, ok := e.(sipclient.ListChanged)
		return ok && l.State == sipclient.ListActive
	})
	p := rec.wait(t, "bob open", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.URI == "sip:bob@parley.test" && p.Basic == sipclient.BasicOpen
	}).(sipclient.PresenceChanged)
	if p.Note != "via the list" {
		t.Errorf("bob's note %q", p.Note)
	}
	xc := xcap.New(srv.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	lists, err := xc.Get(context.Background(), xc.URL("resource-lists", "index"))
	if err != nil || !strings.Contains(string(lists.Body), `<list name="Work">`) || !strings.Contains(string(lists.Body), "sip:bob@parley.test") {
		t.Errorf("resource-lists (%v):\n%s", err, lists.Body)
	}
	services, err := xc.Get(context.Background(), xc.URL("rls-services", "index"))
	if err != nil || !strings.Contains(string(services.Body), `<service xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists" uri="sip:alice-buddies@parley.test">`) && !strings.Contains(string(services.Body), `<service uri="sip:alice-buddies@parley.test">`) {
		t.Errorf("rls-services (%v):\n%s", err, services.Body)
	}
}
