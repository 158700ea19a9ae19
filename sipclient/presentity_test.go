package sipclient

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func subscribeHeaders(extra ...string) []string {
	return append([]string{"Event: presence"}, extra...)
}

func TestPresentityRefusals(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	cases := []struct {
		name    string
		headers []string
		code    int
		header  string // a header the answer must carry
	}{
		{"unknown event", []string{"Event: dialog"}, 489, "Allow-Events: presence"},
		{"compact unknown event", []string{"o: message-summary"}, 489, "Allow-Events: presence"},
		{"no event", nil, 400, ""},
		{"too brief", subscribeHeaders("Expires: 5"), 423, "Min-Expires: 60"},
		{"bad expires", subscribeHeaders("Expires: soon"), 400, ""},
		{"unacceptable", subscribeHeaders("Accept: text/html"), 406, "Accept: application/pidf+xml, application/cpim-pidf+xml"},
	}
	for _, tc := range cases {
		res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), tc.headers, ""))
		if res.StatusCode != tc.code {
			t.Errorf("%s: answered %d, want %d", tc.name, res.StatusCode, tc.code)
		}
		if tc.header != "" && !strings.Contains(res.String(), tc.header+"\r\n") {
			t.Errorf("%s: answer lacks %q:\n%s", tc.name, tc.header, res)
		}
	}
}

func TestPresentityExpiresCappedAndFormatFromAccept(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Expires: 99999", "Accept: application/cpim-pidf+xml"), ""))
	if res.StatusCode != 202 || headerValue(res, "Expires") != "3600" {
		t.Fatalf("answer %d Expires %q", res.StatusCode, headerValue(res, "Expires"))
	}
	n := rc.readRequest()
	if mediaType(n) != "application/cpim-pidf+xml" || !strings.Contains(string(n.Body()), "urn:ietf:params:xml:ns:cpim-pidf") {
		t.Errorf("cpim-only watcher got:\n%s", n)
	}
	rc.answer(n)
}

// Expiry without refresh ends with NOTIFY terminated;reason=timeout, and
// an unsubscribe (Expires: 0) with a final NOTIFY too.
func TestPresentityExpiryAndUnsubscribe(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp", WithExpiresRange(1, 1))
	rc := dialRaw(t, tcpAddr(c))
	res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Expires: 1"), ""))
	if res.StatusCode != 202 {
		t.Fatal(res)
	}
	first := rc.readRequest()
	rc.answer(first)
	final := rc.readRequest()
	rc.answer(final)
	if got := headerValue(final, "Subscription-State"); got != "terminated;reason=timeout" {
		t.Errorf("final NOTIFY state %q", got)
	}
	if final.CSeq().SeqNo != first.CSeq().SeqNo+1 || final.CallID().Value() != first.CallID().Value() {
		t.Errorf("final NOTIFY not the next in the dialog")
	}
	rec.wait(t, "terminated", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.State == WatcherTerminated && w.Reason == "timeout"
	})

	// Unsubscribe in an established dialog.
	c2, _ := newTestClient(t, "poisson2", "tcp")
	rc2 := dialRaw(t, tcpAddr(c2))
	sub := rawRequest("SUBSCRIBE", c2.AOR(), subscribeHeaders("Expires: 600"), "")
	res = rc2.exchange(sub)
	rc2.answer(rc2.readRequest())
	unsub := strings.Replace(string(sub), "To: <"+c2.AOR()+">", "To: <"+c2.AOR()+">;tag="+tagOf(res.To().Params), 1)
	unsub = strings.Replace(unsub, "CSeq: 1 SUBSCRIBE", "CSeq: 2 SUBSCRIBE", 1)
	unsub = strings.Replace(unsub, "Event: presence", "Event: presence\r\nExpires: 0", 1)
	unsub = strings.Replace(unsub, "branch=z9hG4bK", "branch=z9hG4bKx", 1)
	if res := rc2.exchange([]byte(unsub)); res.StatusCode != 202 || headerValue(res, "Expires") != "0" {
		t.Fatalf("unsubscribe answered:\n%s", res)
	}
	if st := headerValue(rc2.readRequest(), "Subscription-State"); st != "terminated;reason=timeout" {
		t.Errorf("after unsubscribe: %q", st)
	}
}

// Policy Ask: the watcher is pending (NOTIFY without a body) until the
// user decides; blocked watchers see us offline.
func TestPresentityAuthorization(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp", WithBook(askBook))
	rc := dialRaw(t, tcpAddr(c))
	if res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders(), "")); res.StatusCode != 202 {
		t.Fatal(res)
	}
	n := rc.readRequest()
	rc.answer(n)
	if !strings.HasPrefix(headerValue(n, "Subscription-State"), "pending") || len(n.Body()) != 0 {
		t.Fatalf("pending watcher got:\n%s", n)
	}
	rec.wait(t, "pending watcher", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.State == WatcherPending && w.URI == "sip:peer@peer.example"
	})
	c.AuthorizeWatcher(pid("sip:peer@peer.example"), Block)
	n = rc.readRequest()
	rc.answer(n)
	if !strings.HasPrefix(headerValue(n, "Subscription-State"), "active") || !strings.Contains(string(n.Body()), "<basic>closed</basic>") {
		t.Fatalf("blocked watcher got:\n%s", n)
	}
	c.AuthorizeWatcher(pid("sip:peer@peer.example"), Allow)
	n = rc.readRequest()
	rc.answer(n)
	if !strings.Contains(string(n.Body()), "<basic>open</basic>") {
		t.Fatalf("allowed watcher got:\n%s", n)
	}
}

// A status change reaches every watcher, each in its own dialog.
func TestPresentityFanOut(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "udp")
	const n = 20
	watchers := make([]*Client, n)
	recs := make([]*recorder, n)
	for i := range watchers {
		watchers[i], recs[i] = newTestClient(t, "w", "udp")
		watchers[i].Subscribe(context.Background(), c.AOR())
	}
	for i := range recs {
		recs[i].wait(t, "open", isPresence(c.AOR(), BasicOpen))
	}
	c.SetPresence(context.Background(), Presence{Status: StatusBusy, Note: "meeting"})
	for i := range recs {
		recs[i].wait(t, "busy", func(e Event) bool {
			p, ok := e.(PresenceChanged)
			return ok && p.Activity == "busy" && p.Note == "meeting"
		})
	}
}

func TestStatusDocument(t *testing.T) {
	for st, want := range map[Status]string{
		StatusAvailable: "<basic>open</basic>", StatusAway: "<rpid:away/>", StatusBusy: "<rpid:busy/>",
		StatusDND: "Do not disturb", StatusOnThePhone: "<rpid:on-the-phone/>", StatusOffline: "<basic>closed</basic>",
	} {
		body, err := encodeBody(Presence{Status: st}, "sip:a@b", "sip:a@b", "application/pidf+xml")
		if err != nil || !strings.Contains(string(body), want) {
			t.Errorf("%s: %v\n%s", st, err, body)
		}
	}
}

// Subscriptions to us are bounded: beyond the limit a new one gets 503
// with Retry-After and is not announced; once one ends, a new one is taken.
func TestPresentityWatcherLimit(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp", WithMaxWatchers(2))
	rc := dialRaw(t, tcpAddr(c))
	subscribe := func(expires string) *sip.Response {
		res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Expires: "+expires), ""))
		if res.StatusCode == 202 {
			rc.answer(rc.readRequest()) // its first NOTIFY
		}
		return res
	}
	first := subscribe("600")
	subscribe("600")
	if res := subscribe("600"); res.StatusCode != 503 || headerValue(res, "Retry-After") != "300" {
		t.Fatalf("third subscription: %d Retry-After %q, want 503 300", res.StatusCode, headerValue(res, "Retry-After"))
	}
	if n := rec.count(func(e Event) bool { _, ok := e.(WatcherChanged); return ok }); n != 2 {
		t.Errorf("%d watcher events, want 2: the refused one was announced", n)
	}
	// The first watcher leaves (in-dialog SUBSCRIBE, Expires: 0); room again.
	unsub := rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Expires: 0"), "")
	unsub = []byte(strings.Replace(string(unsub), "To: <"+c.AOR()+">", "To: <"+c.AOR()+">;tag="+tagOf(first.To().Params), 1))
	unsub = []byte(regexp.MustCompile(`Call-ID: \S+`).ReplaceAllString(string(unsub), "Call-ID: "+first.CallID().Value()))
	unsub = []byte(strings.Replace(string(unsub), "CSeq: 1 SUBSCRIBE", "CSeq: 2 SUBSCRIBE", 1))
	if res := rc.exchange(unsub); res.StatusCode != 200 && res.StatusCode != 202 {
		t.Fatalf("unsubscribe answered %d", res.StatusCode)
	}
	rc.answer(rc.readRequest()) // the final NOTIFY
	if res := subscribe("600"); res.StatusCode != 202 {
		t.Errorf("after one left: %d, want 202", res.StatusCode)
	}
}
