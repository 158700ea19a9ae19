package account_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/resourcelists"
	"github.com/parley-im/parley/sipclient/xcap"
)

// beforePut runs f once, before the first PUT it carries: another
// device's write lands between this device's read and its write.
type beforePut struct {
	once sync.Once
	f    func()
}

func (b *beforePut) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && req.Header.Get("Authorization") != "" {
		b.once.Do(b.f)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// device is one Parley of alice's: its own book and server roster.
type device struct {
	book   *account.Book
	roster *account.ServerRoster
	events []sipclient.Event
}

func newDevice(t *testing.T, s *kamailio.Server, rt http.RoundTripper, contacts ...string) *device {
	t.Helper()
	d := &device{book: account.NewMemoryBook(sipclient.Ask)}
	for _, uri := range contacts {
		if _, err := d.book.Add(account.Contact{URI: uri}); err != nil {
			t.Fatal(err)
		}
	}
	xc := xcap.New(s.XCAPRoot(), "sip:alice@"+s.Domain(), digest.Credentials{Username: "alice", Password: kamUsers["alice"]},
		&http.Client{Transport: rt}, 0)
	d.roster = account.NewServerRoster(account.RosterConfig{Book: d.book, XCAP: xc, AOR: "sip:alice@parley.test",
		Emit: func(e sipclient.Event) { d.events = append(d.events, e) }})
	return d
}

func (d *device) sync(t *testing.T) sipclient.RosterSynced {
	t.Helper()
	ev, err := d.roster.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func uris(b *account.Book) []string {
	var out []string
	for _, c := range b.Contacts() {
		out = append(out, c.ID.String())
	}
	slices.Sort(out)
	return out
}

func id(t *testing.T, uri string) identity.ID {
	t.Helper()
	i, err := identity.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// TestRosterTwoDevices against Kamailio's XCAP server: a laptop and a
// phone of one account start with different contacts (the first sync is
// a union); then the laptop adds dave while the phone removes carol, the
// phone's write landing between the laptop's read and write (412): both
// changes survive, in the server's document and, after a sync, in both
// books.
func TestRosterTwoDevices(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: kamUsers, XCAPLists: true})
	phone := newDevice(t, s, http.DefaultTransport, "sip:carol@parley.test")
	race := &beforePut{}
	laptop := newDevice(t, s, race, "sip:bob@parley.test")

	phone.sync(t)
	race.once.Do(func() {}) // the first sync of the laptop has no race
	ev := laptop.sync(t)
	if len(ev.Added) != 1 || ev.Added[0].String() != "sip:carol@parley.test" {
		t.Errorf("laptop's first sync added %v, want carol", ev.Added)
	}
	phone.sync(t)
	want := []string{"sip:bob@parley.test", "sip:carol@parley.test"}
	if !slices.Equal(uris(laptop.book), want) || !slices.Equal(uris(phone.book), want) {
		t.Fatalf("after the first syncs: laptop %v, phone %v; want both %v", uris(laptop.book), uris(phone.book), want)
	}

	// The laptop adds dave, the phone removes carol, at once.
	race.once = sync.Once{}
	race.f = func() {
		if err := phone.book.Remove(id(t, "sip:carol@parley.test")); err != nil {
			t.Error(err)
		}
		phone.sync(t)
	}
	if _, err := laptop.book.Add(account.Contact{URI: "sip:dave@parley.test", Name: "Dave", Group: "Work"}); err != nil {
		t.Fatal(err)
	}
	ev = laptop.sync(t)
	if len(ev.Removed) != 1 || ev.Removed[0].String() != "sip:carol@parley.test" {
		t.Errorf("laptop's sync after the conflict removed %v, want carol", ev.Removed)
	}
	phone.sync(t)
	want = []string{"sip:bob@parley.test", "sip:dave@parley.test"}
	if !slices.Equal(uris(laptop.book), want) || !slices.Equal(uris(phone.book), want) {
		t.Errorf("laptop %v, phone %v; want both %v", uris(laptop.book), uris(phone.book), want)
	}
	if c, _ := phone.book.Contact(id(t, "sip:dave@parley.test")); c.Name != "Dave" || c.Group != "Work" {
		t.Errorf("dave on the phone: %+v", c)
	}
	xc := xcap.New(s.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	doc, err := xc.Get(context.Background(), xc.URL("resource-lists", "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stored:\n%s", doc.Body)
	d, err := resourcelists.Decode(doc.Body)
	if err != nil || strings.Contains(string(doc.Body), "carol") || !strings.Contains(string(doc.Body), `<list name="Work">`) || len(d.Lists) != 2 {
		t.Errorf("server document (%v):\n%s", err, doc.Body)
	}
}

// TestRosterConflictAsks: a contact named differently on two devices
// before their first sync: the server's name is taken and the conflict
// is announced for the user to decide.
func TestRosterConflictAsks(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: kamUsers, XCAPLists: true})
	phone := newDevice(t, s, http.DefaultTransport)
	laptop := newDevice(t, s, http.DefaultTransport)
	phone.book.Add(account.Contact{URI: "sip:bob@parley.test", Name: "Robert"})
	laptop.book.Add(account.Contact{URI: "sip:bob@parley.test", Name: "Bob"})
	phone.sync(t)
	ev := laptop.sync(t)
	if len(ev.Conflicts) != 1 || ev.Conflicts[0].LocalName != "Bob" || ev.Conflicts[0].ServerName != "Robert" {
		t.Fatalf("conflicts: %+v", ev.Conflicts)
	}
	if c, _ := laptop.book.Contact(id(t, "sip:bob@parley.test")); c.Name != "Robert" {
		t.Errorf("laptop's bob is %q, want the server's Robert", c.Name)
	}
	// The user keeps theirs: written through at the next sync.
	laptop.book.Update(id(t, "sip:bob@parley.test"), "Bob", "")
	if ev := laptop.sync(t); len(ev.Conflicts) != 0 {
		t.Errorf("conflicts after the user's choice: %+v", ev.Conflicts)
	}
	phone.sync(t)
	if c, _ := phone.book.Contact(id(t, "sip:bob@parley.test")); c.Name != "Bob" {
		t.Errorf("phone's bob is %q after the laptop's choice, want Bob", c.Name)
	}
}

// TestRosterRunFollowsOtherDevices: a running roster writes the user's
// change through at once, and reads the other device's within its poll
// period.
func TestRosterRunFollowsOtherDevices(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: kamUsers, XCAPLists: true})
	xc := func() *xcap.Client {
		return xcap.New(s.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	}
	events := make(chan sipclient.Event, 16)
	laptop := account.NewMemoryBook(sipclient.Ask)
	lr := account.NewServerRoster(account.RosterConfig{Book: laptop, XCAP: xc(), AOR: "sip:alice@parley.test",
		PollEvery: 100 * time.Millisecond, Emit: func(e sipclient.Event) { events <- e }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); lr.Run(ctx) }()
	defer func() { cancel(); <-done }()

	phone := newDevice(t, s, http.DefaultTransport, "sip:carol@parley.test")
	phone.sync(t)
	select {
	case e := <-events:
		if ev, ok := e.(sipclient.RosterSynced); !ok || len(ev.Added) != 1 || ev.Added[0].String() != "sip:carol@parley.test" {
			t.Fatalf("laptop: %+v, want carol added", e)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the laptop never read the phone's change")
	}
	if _, err := laptop.Add(account.Contact{URI: "sip:bob@parley.test"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		phone.sync(t)
		if slices.Contains(uris(phone.book), "sip:bob@parley.test") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the laptop's add never reached the phone")
		}
	}
}

// A server that lost or reset the list (here: an empty document put in
// its place) does not empty the book: the next sync is a union, and the
// contacts go back to the server.
func TestRosterServerListLostKeepsBook(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: kamUsers, XCAPLists: true})
	laptop := newDevice(t, s, http.DefaultTransport, "sip:bob@parley.test", "sip:carol@parley.test")
	laptop.sync(t) // the server now has both, and both sides agree
	xc := xcap.New(s.XCAPRoot(), "sip:alice@"+s.Domain(), digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, http.DefaultClient, 0)
	empty, err := resourcelists.Encode(resourcelists.Document{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	url := xc.URL("resource-lists", "index")
	cur, err := xc.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xc.Put(ctx, url, resourcelists.ContentType, empty, cur.ETag); err != nil {
		t.Fatal(err)
	}
	if ev := laptop.sync(t); len(ev.Removed) != 0 {
		t.Errorf("the sync removed %v", ev.Removed)
	}
	if got := uris(laptop.book); !slices.Equal(got, []string{"sip:bob@parley.test", "sip:carol@parley.test"}) {
		t.Errorf("book after the server lost its list: %v", got)
	}
	doc, err := xc.Get(ctx, url)
	if err != nil || !strings.Contains(string(doc.Body), "sip:bob@parley.test") || !strings.Contains(string(doc.Body), "sip:carol@parley.test") {
		t.Errorf("the server's list was not written back: %v\n%s", err, doc.Body)
	}
}

// TestRosterKeepsOtherClientsContent against Kamailio's XCAP server:
// another client's elements, prefixed attributes, xml:lang and comments
// in the shared resource-lists document survive Parley adding a contact,
// still in their namespaces.
func TestRosterKeepsOtherClientsContent(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: kamUsers, XCAPLists: true})
	xc := xcap.New(s.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	url := xc.URL("resource-lists", "index")
	other := `<?xml version="1.0" encoding="UTF-8"?>
<rl:resource-lists xmlns:rl="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:other" xmlns:cp="urn:copy">
 <rl:list name="Work" x:color="blue">
  <rl:display-name xml:lang="fr">Travail</rl:display-name>
  <!-- on call this week -->
  <rl:entry uri="sip:bob@parley.test" cp:copy="yes"><rl:display-name xml:lang="en">Bob</rl:display-name><x:tag><x:sub>v</x:sub></x:tag></rl:entry>
 </rl:list>
</rl:resource-lists>
`
	if _, err := xc.Put(context.Background(), url, resourcelists.ContentType, []byte(other), ""); err != nil {
		t.Fatal(err)
	}
	laptop := newDevice(t, s, http.DefaultTransport, "sip:dave@parley.test")
	laptop.sync(t)
	doc, err := xc.Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	got := string(doc.Body)
	for _, want := range []string{`<list name="Work" xmlns:x="urn:other" x:color="blue">`, `<display-name xml:lang="fr">Travail</display-name>`,
		`<!-- on call this week -->`, `<entry uri="sip:bob@parley.test" xmlns:cp="urn:copy" cp:copy="yes"><display-name xml:lang="en">Bob</display-name>`,
		`<x:tag xmlns="" xmlns:x="urn:other"><x:sub>v</x:sub></x:tag>`, `<entry uri="sip:dave@parley.test"/>`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in the server's document:\n%s", want, got)
		}
	}
}
