package sipclient

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
)

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func isStale(uri string) func(Event) bool {
	return func(e Event) bool {
		s, ok := e.(PresenceStale)
		return ok && s.URI == uri
	}
}

// waitWire waits (bounded) until the trace after offset holds every want.
func waitWire(t *testing.T, trace *syncBuffer, offset int, want ...string) {
	t.Helper()
	for range 200 {
		wire := trace.String()[offset:]
		missing := ""
		for _, w := range want {
			if !strings.Contains(wire, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("after the refresh the wire lacks one of %q:\n%s", want, trace.String()[offset:])
}

// After a wake-up, Refresh sends a REGISTER, a SUBSCRIBE refresh and a
// PUBLISH through the real server, and the contact's presence is stale
// until the NOTIFY the refresh brings.
func TestRefreshAfterResume(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	trace := &syncBuffer{}
	alice, rec := serverClient(t, srv, "alice", kamUsers["alice"], "tcp", WithTrace(trace))
	_, brec := serverClient(t, srv, "bob", kamUsers["bob"], "tcp")
	rec.wait(t, "alice registered", isReg(RegRegistered))
	rec.wait(t, "alice published", isPub(PubPublished))
	brec.wait(t, "bob published", isPub(PubPublished))
	bob := "sip:bob@" + srv.Domain()
	if err := alice.Subscribe(context.Background(), bob); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "bob open", isPresence(bob, BasicOpen))
	offset, from := len(trace.String()), rec.len()

	start := time.Now()
	if err := alice.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, i := rec.waitAfter(t, from, "bob stale", isStale(bob))
	rec.waitAfter(t, i, "bob fresh", isPresence(bob, BasicOpen))
	fresh := time.Since(start)
	waitWire(t, trace, offset, "REGISTER sip:", "SUBSCRIBE sip:", "To: <sip:bob@parley.test>;tag=", "PUBLISH sip:alice@", "SIP-If-Match:")
	t.Logf("through Kamailio: bob fresh %v after the wake-up; REGISTER, SUBSCRIBE and PUBLISH on the wire by %v",
		fresh.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// TestResumeFreshness measures the time from Refresh to every one of 100
// contacts fresh again, each a loopback peer identity. It logs the
// figure (go test -run TestResumeFreshness -v ./sipclient); the bound
// is only a safety net.
func TestResumeFreshness(t *testing.T) {
	if testing.Short() {
		t.Skip("100 contacts")
	}
	const n = 100
	c, rec := newTestClient(t, "me", "tcp")
	peer, _ := newTestClient(t, "peer", "tcp")
	host := strings.TrimPrefix(peer.AOR(), "sip:peer@")
	uris := make([]string, n)
	for i := range uris {
		uris[i] = fmt.Sprintf("sip:c%03d@%s", i, host)
		if err := c.Subscribe(context.Background(), uris[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range uris {
		rec.wait(t, u+" open", isPresence(u, BasicOpen))
	}
	from := rec.len()
	start := time.Now()
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range uris {
		_, i := rec.waitAfter(t, from, u+" stale", isStale(u))
		rec.waitAfter(t, i, u+" fresh", isPresence(u, BasicOpen))
	}
	t.Logf("resume to %d contacts fresh: %v", n, time.Since(start).Round(time.Millisecond))
}
