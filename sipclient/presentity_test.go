package sipclient

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/pidf"
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
		{"unacceptable", subscribeHeaders("Accept: text/html"), 406, "Accept: application/pidf+xml, application/cpim-pidf+xml, application/xpidf+xml"},
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

// A watcher that accepts only XPIDF (Asterisk, older desk phones) gets
// 202 and NOTIFYs in XPIDF, which DecodeXPIDF reads back as our status;
// with PIDF also offered it gets PIDF.
func TestPresentityXPIDFWatcher(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "tcp")
	if err := c.SetPresence(context.Background(), Presence{Status: StatusOnThePhone, Note: "call me later"}); err != nil {
		t.Fatal(err)
	}
	rc := dialRaw(t, tcpAddr(c))
	res := rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Accept: application/xpidf+xml"), ""))
	if res.StatusCode != 202 {
		t.Fatalf("xpidf-only SUBSCRIBE answered %d %s", res.StatusCode, res.Reason)
	}
	n := rc.readRequest()
	rc.answer(n)
	if mediaType(n) != pidf.ContentTypeXPIDF || !strings.Contains(string(n.Body()), `<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">`) {
		t.Fatalf("xpidf-only watcher got:\n%s", n)
	}
	doc, err := pidf.DecodeXPIDF(n.Body())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != pidf.BasicOpen || !slices.Equal(doc.Activities, []string{"on-the-phone"}) || doc.Note != "call me later" ||
		doc.Entity != c.AOR() {
		t.Errorf("decoded %+v from\n%s", doc, n.Body())
	}

	res = rc.exchange(rawRequest("SUBSCRIBE", c.AOR(), subscribeHeaders("Accept: application/xpidf+xml, application/pidf+xml"), ""))
	if res.StatusCode != 202 {
		t.Fatal(res)
	}
	n = rc.readRequest()
	rc.answer(n)
	if mediaType(n) != pidf.ContentTypePIDF {
		t.Errorf("a watcher taking PIDF too got %s", mediaType(n))
	}
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
	// The events reach the recorder on their own goroutine: wait for the
	// two accepted ones before counting.
	rec.wait(t, "two watchers", func(Event) bool {
		return rec.countLocked(func(e Event) bool { _, ok := e.(WatcherChanged); return ok }) >= 2
	})
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

// testPresentity is alice@parley.test as presentity alone, available,
// on a fake seam that answers every NOTIFY with answer (nil: 200).
func testPresentity(t *testing.T, answer func(*sip.Request) *sip.Response, opts ...Option) (*presentity, *fakeSeam) {
	if answer == nil {
		answer = func(req *sip.Request) *sip.Response { return reply(req, 200, "OK") }
	}
	f := &fakeSeam{answer: answer}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	aor := sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"}
	p := newPresentity(context.Background(), f, aor, "Alice", "sip:alice@127.0.0.1:5062", Presence{Status: StatusAvailable}, &o)
	t.Cleanup(func() {
		f.close()
		p.stop(context.Background(), "deactivated") // and the expiry timers
	})
	return p, f
}

// subscribeFrom is a SUBSCRIBE to alice from peer@peer.example, in a new
// dialog, with extra headers after Event: presence.
func subscribeFrom(t *testing.T, extra ...string) *sip.Request {
	t.Helper()
	return parse(t, string(rawRequest("SUBSCRIBE", "sip:alice@parley.test", subscribeHeaders(extra...), ""))).(*sip.Request)
}

// lastAnswer is what the presentity answered last.
func lastAnswer(t *testing.T, f *fakeSeam) *sip.Response {
	t.Helper()
	answers := f.responses()
	if len(answers) == 0 {
		t.Fatal("no answer")
	}
	return answers[len(answers)-1]
}

// At the limit a new subscription is refused with 503 and Retry-After
// and told to no one; a one-off fetch (Expires: 0) holds nothing and is
// still answered.
func TestPresentityRefusesBeyondLimit(t *testing.T) {
	p, f := testPresentity(t, nil, WithMaxWatchers(1))
	p.onSubscribe(subscribeFrom(t, "Expires: 600"), nil)
	f.awaitRequests(t, 1) // its first NOTIFY
	p.onSubscribe(subscribeFrom(t, "Expires: 600"), nil)
	if res := lastAnswer(t, f); res.StatusCode != 503 || headerValue(res, "Retry-After") != "300" {
		t.Fatalf("beyond the limit: %d Retry-After %q, want 503 300", res.StatusCode, headerValue(res, "Retry-After"))
	}
	if n := len(f.emitted()); n != 1 {
		t.Errorf("%d events, want 1: the refused one was told: %+v", n, f.emitted())
	}
	p.onSubscribe(subscribeFrom(t, "Expires: 0"), nil)
	if res := lastAnswer(t, f); res.StatusCode != 202 {
		t.Errorf("a fetch at the limit: %d, want 202", res.StatusCode)
	}
	final := f.awaitRequests(t, 2)[1]
	if got := headerValue(final, "Subscription-State"); got != "terminated;reason=timeout" {
		t.Errorf("the fetch's NOTIFY: %q", got)
	}
}

// A watcher the book asks about is pending and gets no state; blocked by
// the user, it is told we are offline (basic closed), in the same dialog.
func TestPresentityBlockShowsClosed(t *testing.T) {
	p, f := testPresentity(t, nil, WithBook(askBook))
	p.onSubscribe(subscribeFrom(t), nil)
	res := lastAnswer(t, f)
	if res.StatusCode != 202 || headerValue(res, "Expires") != "3600" || tagOf(res.To().Params) == "" {
		t.Fatalf("SUBSCRIBE answered:\n%s", res)
	}
	pending := f.awaitRequests(t, 1)[0]
	if !strings.HasPrefix(headerValue(pending, "Subscription-State"), "pending;expires=") || len(pending.Body()) != 0 {
		t.Fatalf("pending watcher got:\n%s", pending)
	}
	peer := pid("sip:peer@peer.example")
	p.authorize(peer, Block)
	blocked := f.awaitRequests(t, 2)[1]
	if !strings.HasPrefix(headerValue(blocked, "Subscription-State"), "active;expires=") ||
		!strings.Contains(string(blocked.Body()), "<basic>closed</basic>") {
		t.Errorf("blocked watcher got:\n%s", blocked)
	}
	if blocked.CallID().Value() != pending.CallID().Value() || blocked.CSeq().SeqNo != pending.CSeq().SeqNo+1 {
		t.Errorf("the NOTIFY after the block is not the next in the dialog")
	}
	if w, ok := lastEvent(t, f).(WatcherChanged); !ok || w.Peer != peer || w.State != WatcherBlocked {
		t.Errorf("events %+v, want the watcher blocked last", f.emitted())
	}
}

// A SUBSCRIBE too brief gets 423 with our Min-Expires; one in a dialog
// we do not hold gets 481. Neither is told.
func TestPresentityRefusesBriefAndStrayRefresh(t *testing.T) {
	p, f := testPresentity(t, nil)
	p.onSubscribe(subscribeFrom(t, "Expires: 5"), nil)
	if res := lastAnswer(t, f); res.StatusCode != 423 || headerValue(res, "Min-Expires") != "60" {
		t.Errorf("too brief: %d Min-Expires %q", res.StatusCode, headerValue(res, "Min-Expires"))
	}
	stray := subscribeFrom(t, "Expires: 600")
	stray.To().Params.Add("tag", "not-ours")
	p.onSubscribe(stray, nil)
	if res := lastAnswer(t, f); res.StatusCode != 481 {
		t.Errorf("refresh of no dialog: %d, want 481", res.StatusCode)
	}
	if len(f.emitted()) != 0 || len(f.requests()) != 0 {
		t.Errorf("refusals sent %d requests and told %+v", len(f.requests()), f.emitted())
	}
}

// A NOTIFY the watcher answers 481 ends its subscription (RFC 6665
// 4.2.2): it is told terminated and forgotten.
func TestPresentityNotify481EndsWatcher(t *testing.T) {
	p, f := testPresentity(t, func(req *sip.Request) *sip.Response {
		return reply(req, 481, "Call/Transaction Does Not Exist")
	})
	p.onSubscribe(subscribeFrom(t), nil)
	ev := f.awaitEvent(t, "terminated", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.State == WatcherTerminated
	}).(WatcherChanged)
	if ev.Peer != pid("sip:peer@peer.example") || !strings.Contains(ev.Reason, "481") {
		t.Errorf("terminated event %+v", ev)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.watchers) != 0 {
		t.Errorf("%d watchers still held", len(p.watchers))
	}
}

// A change of our presence reaches every watcher, each in its own dialog,
// with the new status.
func TestPresentitySetNotifiesEveryWatcher(t *testing.T) {
	p, f := testPresentity(t, nil)
	p.onSubscribe(subscribeFrom(t), nil)
	p.onSubscribe(subscribeFrom(t), nil)
	f.awaitRequests(t, 2)
	p.set(Presence{Status: StatusBusy, Note: "meeting"})
	sent := f.awaitRequests(t, 4)[2:]
	if sent[0].CallID().Value() == sent[1].CallID().Value() {
		t.Errorf("both NOTIFYs in one dialog")
	}
	for _, n := range sent {
		if body := string(n.Body()); !strings.Contains(body, "busy") || !strings.Contains(body, "meeting") {
			t.Errorf("NOTIFY after the change:\n%s", n)
		}
	}
	if p.current().Note != "meeting" {
		t.Errorf("current presence %+v", p.current())
	}
}

// SetPresence with a context already done refuses, and changes nothing.
func TestSetPresenceHonoursDoneContext(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "udp")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.SetPresence(ctx, Presence{Status: StatusAway}); err != context.Canceled {
		t.Errorf("SetPresence: %v, want context.Canceled", err)
	}
	if p := c.Presence(); p.Status != StatusAvailable {
		t.Errorf("presence %+v, want it unchanged", p)
	}
}

// Revoking a watcher ends their subscription at once: they get a final
// NOTIFY, terminated with reason rejected, and the watcher list says so.
func TestEndWatcherTerminatesAtOnce(t *testing.T) {
	a, ra := newTestClient(t, "chebychev", "tcp")
	b, rb := newTestClient(t, "poisson", "tcp")
	ctx := context.Background()
	if err := a.Subscribe(ctx, b.AOR()); err != nil {
		t.Fatal(err)
	}
	ra.wait(t, "open", isPresence(b.AOR(), BasicOpen))
	if err := b.EndWatcher(pid(a.AOR())); err != nil {
		t.Fatal(err)
	}
	rb.wait(t, "watcher ended", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.URI == a.AOR() && w.State == WatcherTerminated && w.Reason == "rejected"
	})
	ra.wait(t, "terminated, rejected", func(e Event) bool {
		s, ok := e.(SubscriptionChanged)
		return ok && s.State == SubTerminated && s.Reason == "rejected"
	})
	if err := b.EndWatcher(pid("")); err == nil {
		t.Error("no error for no watcher")
	}
}
