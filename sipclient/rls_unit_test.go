package sipclient

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

var vancouverList = sip.Uri{Scheme: "sip", User: "adam-friends", Host: "pres.vancouver.example.com"}

// listAnswer answers a list SUBSCRIBE as a resource list server does
// (200 with Require: eventlist) and a contact's SUBSCRIBE with 200.
func listAnswer(req *sip.Request) *sip.Response {
	res := accept200(req)
	if req.Recipient.User == vancouverList.User {
		res.AppendHeader(sip.NewHeader("Require", "eventlist"))
	}
	return res
}

// rfc4662Body reads one of the rlmi package's golden notifications.
func rfc4662Body(t *testing.T, name string) (ct, body string) {
	t.Helper()
	b, err := os.ReadFile("rlmi/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	head, rest, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	return strings.TrimPrefix(string(head), "Content-Type: "), string(rest)
}

// listUnderTest is a subscription list watching through vancouverList,
// with the contacts of RFC 4662's examples and zed, who is not in it.
func listUnderTest(t *testing.T, answer func(*sip.Request) *sip.Response) (*subscriptions, *fakeSeam) {
	l, f, _ := testSubscriptions(t, answer)
	w, err := newListWatch(l, "sip:adam@vancouver.example.com", vancouverList)
	if err != nil {
		t.Fatal(err)
	}
	l.list = w
	for _, u := range []string{"sip:bob@vancouver.example.com", "sip:dave@vancouver.example.com",
		"sip:ed@dallas.example.net", "sip:mallory@dallas.example.net", "sip:zed@dallas.example.net"} {
		target, _ := ParseURI(u)
		if err := l.add(pid(u), target, eventPresence); err != nil {
			t.Fatal(err)
		}
	}
	return l, f
}

// TestListOneSubscribe: five contacts, one SUBSCRIBE, to the list, with
// Supported: eventlist and the list's media types.
func TestListOneSubscribe(t *testing.T) {
	_, f := listUnderTest(t, listAnswer)
	sub := f.awaitRequests(t, 1)[0]
	if sub.Recipient.User != "adam-friends" || !hasOptionTag(sub, "Supported", "eventlist") ||
		!strings.Contains(headerValue(sub, "Accept"), "multipart/related") || !strings.Contains(headerValue(sub, "Accept"), "application/rlmi+xml") {
		t.Fatalf("list SUBSCRIBE:\n%s", sub)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want the list's SUBSCRIBE only", n)
	}
}

// TestListNotifications: a partial notification updates one contact's
// presence and says why two others are not seen (pending; terminated,
// rejected); the same version again changes nothing; an older version
// arriving late (the full state, version 1, after version 2) updates only
// the contacts version 2 did not tell about; zed, whom the list does not
// hold, sends no SUBSCRIBE of his own.
func TestListNotifications(t *testing.T) {
	l, f := listUnderTest(t, listAnswer)
	sub := f.awaitRequests(t, 1)[0]
	ct, body := rfc4662Body(t, "rfc4662-partial.mime")
	l.onNotify(notifyFor(t, sub, 1, "active;expires=600", ct, body), nil)
	if res := f.responses(); len(res) != 1 || res[0].StatusCode != 200 {
		t.Fatalf("answers %v, want 200", res)
	}
	f.awaitEvent(t, "dave open", isPresence("sip:dave@vancouver.example.com", BasicOpen))
	f.awaitEvent(t, "list active", func(e Event) bool { l, ok := e.(ListChanged); return ok && l.State == ListActive })
	f.awaitEvent(t, "ed pending", isSub("sip:ed@dallas.example.net", SubPending))
	ev := f.awaitEvent(t, "mallory terminated", isSub("sip:mallory@dallas.example.net", SubTerminated)).(SubscriptionChanged)
	if ev.Reason != "rejected" {
		t.Errorf("mallory: reason %q, want rejected", ev.Reason)
	}
	before := len(f.emitted())
	l.onNotify(notifyFor(t, sub, 2, "active;expires=600", ct, body), nil)
	if n := len(f.emitted()); n != before {
		t.Errorf("a repeated version emitted %d events", n-before)
	}
	ct, body = rfc4662Body(t, "rfc4662-full.mime")
	l.onNotify(notifyFor(t, sub, 3, "active;expires=600", ct, body), nil)
	f.awaitEvent(t, "bob open", isPresence("sip:bob@vancouver.example.com", BasicOpen))
	for _, e := range f.emitted() {
		if isPresence("sip:dave@vancouver.example.com", BasicClosed)(e) {
			t.Errorf("dave's older state (closed, version 1) replaced the newer one (open, version 2)")
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want the list's SUBSCRIBE only", n)
	}
}

// TestListRefused: a 404 to the list (no such list), or a 200 without
// Require: eventlist (a plain presentity), falls back: ListChanged says
// why and every contact subscribes on its own.
func TestListRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(*sip.Request) *sip.Response
		code   int
	}{
		{"404", func(req *sip.Request) *sip.Response {
			if req.Recipient.User == vancouverList.User {
				return reply(req, 404, "Not Found")
			}
			return accept200(req)
		}, 404},
		{"200 without eventlist", accept200, 200},
		{"489", func(req *sip.Request) *sip.Response {
			if req.Recipient.User == vancouverList.User {
				return reply(req, 489, "Bad Event")
			}
			return accept200(req)
		}, 489},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, f := listUnderTest(t, tc.answer)
			ev := f.awaitEvent(t, "refused", func(e Event) bool { _, ok := e.(ListChanged); return ok }).(ListChanged)
			if ev.State != ListRefused || ev.Code != tc.code {
				t.Errorf("ListChanged %+v, want refused with %d", ev, tc.code)
			}
			want := 1 + 5
			if tc.code == 200 {
				want++ // the list's unsubscribe
			}
			users := map[string]bool{}
			for _, r := range f.awaitRequests(t, want) {
				users[r.Recipient.User] = true
			}
			for _, u := range []string{"bob", "dave", "ed", "mallory", "zed"} {
				if !users[u] {
					t.Errorf("no SUBSCRIBE of %s's own", u)
				}
			}
		})
	}
}

// TestListAsksAgain: contacts the list has not told about a while after
// its notifications began (zed) make Parley refresh the list once, so the
// server asks its resources again; not more than maxAskAgain times.
func TestListAsksAgain(t *testing.T) {
	l, f := listUnderTest(t, listAnswer)
	l.list.settle = 10 * time.Millisecond
	sub := f.awaitRequests(t, 1)[0]
	ct, body := rfc4662Body(t, "rfc4662-full.mime")
	l.onNotify(notifyFor(t, sub, 1, "active;expires=600", ct, body), nil)
	refresh := f.awaitRequests(t, 2)[1]
	if refresh.Recipient.User != "adam-friends" || refresh.CallID().Value() != sub.CallID().Value() {
		t.Errorf("second request: %s, want a refresh of the list in its dialog", refresh.StartLine())
	}
	f.awaitRequests(t, 1+maxAskAgain)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		l.list.mu.Lock()
		done := l.list.asked == maxAskAgain && !l.list.checking
		l.list.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the list never stopped asking")
		}
	}
	if n := len(f.requests()); n != 1+maxAskAgain {
		t.Errorf("%d requests, want the list's and %d refreshes", n, maxAskAgain)
	}
}
