package sipclient

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
)

// listClient starts alice on TCP, watching through buddyList when
// withList; w, when not nil, counts her traffic.
func listClient(t testing.TB, srv *kamailio.Server, withList bool, w *listWire) (*Client, *recorder) {
	t.Helper()
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		Password: kamUsers["alice"], Expires: 300}
	if withList {
		sc.BuddyList = buddyList
	}
	opts := []Option{WithRequestTimeout(5 * time.Second), WithSubscribeExpires(600)}
	if w != nil {
		opts = append(opts, WithTrace(w))
	}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Transport: "tcp", Server: sc}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rec := record(c)
	rec.wait(t, "alice registered", isReg(RegRegistered))
	return c, rec
}

func subscribeAll(t testing.TB, c *Client, uris []string) {
	t.Helper()
	for _, u := range uris {
		if err := c.Subscribe(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
}

func isList(state ListState) func(Event) bool {
	return func(e Event) bool {
		l, ok := e.(ListChanged)
		return ok && l.State == state
	}
}

// TestRLSWatchesEveryContact: 100 contacts in alice's buddy list at a
// Kamailio with RLS: one presence SUBSCRIBE (Supported: eventlist) and
// every contact's state arrives in the list's NOTIFYs, as the same
// events a contact's own subscription gives.
func TestRLSWatchesEveryContact(t *testing.T) {
	users, uris := rosterUsers(100)
	srv := kamailio.Start(t, kamailio.Options{Users: users, RLS: true})
	publishAll(t, srv, users, uris)
	putBuddyList(t, srv, uris)
	w := &listWire{}
	alice, rec := listClient(t, srv, true, w)
	subscribeAll(t, alice, uris)
	waitAllOpen(t, rec, uris, 60*time.Second)
	rec.wait(t, "list active", isList(ListActive))
	dialogs, subs, notifies, bytes := w.get()
	t.Logf("%d contacts: %d presence subscriptions (%d SUBSCRIBEs with the 407 resend), %d NOTIFYs, %d bytes",
		len(uris), dialogs, subs, notifies, bytes)
	if dialogs != 1 {
		t.Errorf("%d presence subscriptions, want 1 (the list)", dialogs)
	}
	p := rec.wait(t, "c0042's note", isPresence("sip:c0042@parley.test", BasicOpen)).(PresenceChanged)
	if p.Note != "c0042 is here" || !strings.Contains(p.Raw, "<presence") {
		t.Errorf("c0042: %+v", p)
	}
	rec.wait(t, "c0042 active", isSub("sip:c0042@parley.test", SubActive))
	if n := len(alice.Subscriptions()); n != len(uris) {
		t.Errorf("Subscriptions() lists %d, want the %d contacts (not the list)", n, len(uris))
	}
}

// TestRLSFallback: a server without RLS answers the list SUBSCRIBE as a
// plain presentity: Parley says so (ListChanged refused) and watches each
// contact on its own.
func TestRLSFallback(t *testing.T) {
	users, uris := rosterUsers(10)
	srv := kamailio.Start(t, kamailio.Options{Users: users, XCAPLists: true})
	publishAll(t, srv, users, uris)
	w := &listWire{}
	alice, rec := listClient(t, srv, true, w)
	subscribeAll(t, alice, uris)
	ev := rec.wait(t, "list refused", isList(ListRefused)).(ListChanged)
	t.Logf("refused: %+v", ev)
	waitAllOpen(t, rec, uris, 30*time.Second)
	if dialogs, _, _, _ := w.get(); dialogs != 1+len(uris) {
		t.Errorf("%d presence subscriptions, want the list's and one per contact (%d)", dialogs, 1+len(uris))
	}
}
