package sipclient

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

func TestMessageBothWays(t *testing.T) {
	for _, tp := range []string{"tcp", "udp"} {
		t.Run(tp, func(t *testing.T) {
			a, ra := newTestClient(t, "chebychev", tp)
			b, rb := newTestClient(t, "poisson", tp)
			ctx := context.Background()
			id, err := a.SendMessage(ctx, b.AOR(), "Hi There! Grüße ✓\nsecond line")
			if err != nil {
				t.Fatal(err)
			}
			m := rb.wait(t, "message", func(e Event) bool { _, ok := e.(MessageReceived); return ok }).(MessageReceived)
			if m.Text != "Hi There! Grüße ✓\nsecond line" || m.From != a.AOR() || m.CallID == "" {
				t.Errorf("received %+v", m)
			}
			st := ra.wait(t, "status", func(e Event) bool { _, ok := e.(MessageStatus); return ok }).(MessageStatus)
			if st.ID != id || st.Status != MsgSent || st.Code != 200 || st.To != b.AOR() || !st.RetryAt.IsZero() {
				t.Errorf("status %+v, want ID %s", st, id)
			}
			d, err := b.DeliverMessage(ctx, a.AOR(), "Well, hello there to you, too!")
			if err != nil || d.Status != MsgSent {
				t.Fatalf("reply: %+v %v", d, err)
			}
			ra.wait(t, "reply", func(e Event) bool {
				m, ok := e.(MessageReceived)
				return ok && m.Text == "Well, hello there to you, too!" && m.From == b.AOR()
			})
			// Both sides have both messages in their history, with the
			// IDs SendMessage and DeliverMessage returned for their own.
			wantHistory(t, a, b.AOR(), "in received Well, hello there to you, too!", "out sent Hi There! Grüße ✓\nsecond line")
			wantHistory(t, b, a.AOR(), "out sent Well, hello there to you, too!", "in received Hi There! Grüße ✓\nsecond line")
			if h, _ := a.History(ctx, pid(b.AOR()), 0, 10); len(h) != 2 || h[1].ID != id {
				t.Errorf("a's history %+v: want the sent message with ID %s", h, id)
			}
			if h, _ := b.History(ctx, pid(a.AOR()), 0, 10); len(h) != 2 || h[0].ID != d.ID {
				t.Errorf("b's history %+v: want the delivered message with ID %s", h, d.ID)
			}
		})
	}
}

// Every message gets its own Call-ID and From tag (RFC 3428: outside any
// dialog).
func TestMessagesAreOutOfDialog(t *testing.T) {
	a, _ := newTestClient(t, "a", "tcp")
	b, rb := newTestClient(t, "b", "tcp")
	for i := 0; i < 3; i++ {
		if _, err := a.DeliverMessage(context.Background(), b.AOR(), "x"); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	rb.wait(t, "3 messages", func(Event) bool {
		return rb.countLocked(func(e Event) bool { _, ok := e.(MessageReceived); return ok }) == 3
	})
	rb.mu.Lock()
	defer rb.mu.Unlock()
	for _, e := range rb.events {
		if m, ok := e.(MessageReceived); ok {
			if seen[m.CallID] || seen["tag"+m.FromTag] {
				t.Errorf("reused Call-ID or From tag: %+v", m)
			}
			seen[m.CallID], seen["tag"+m.FromTag] = true, true
		}
	}
}

// A message that cannot be delivered is reported failed with a code and a
// reason: never silently dropped.
func TestMessageFailureReported(t *testing.T) {
	a, ra := newTestClient(t, "a", "tcp")
	id, err := a.SendMessage(context.Background(), "sip:nobody@127.0.0.1:9;transport=tcp", "anyone?")
	if err != nil {
		t.Fatal(err)
	}
	st := ra.wait(t, "failed", func(e Event) bool { _, ok := e.(MessageStatus); return ok }).(MessageStatus)
	if st.ID != id || st.Status != MsgFailed || st.Code == 0 || st.Reason == "" || st.RetryAt.IsZero() {
		t.Errorf("status %+v: want failed with a code, a reason and a retry time", st)
	}
	// A UDP peer that never answers times out.
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer pc.Close()
	quick, rq := newTestClient(t, "q", "udp", WithRequestTimeout(700*time.Millisecond))
	quick.SendMessage(context.Background(), "sip:silent@"+pc.LocalAddr().String(), "hello?")
	st = rq.wait(t, "timeout", func(e Event) bool { _, ok := e.(MessageStatus); return ok }).(MessageStatus)
	if st.Status != MsgFailed || st.Code != 408 || st.Reason != "no answer from the peer" || st.RetryAt.IsZero() {
		t.Errorf("timeout status %+v", st)
	}
}

func TestMessageBadInput(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	res := rc.exchange(rawRequest("MESSAGE", c.AOR(), []string{"Content-Type: text/html"}, "<b>hi</b>"))
	if res.StatusCode != 415 || headerValue(res, "Accept") != acceptMessage {
		t.Errorf("html MESSAGE answered:\n%s", res)
	}
	big := strings.Repeat("x", 40<<10)
	if res := rc.exchange(rawRequest("MESSAGE", c.AOR(), []string{"Content-Type: text/plain"}, big)); res.StatusCode != 413 {
		t.Errorf("40 KiB MESSAGE answered %d", res.StatusCode)
	}
	rec.wait(t, "oversize diagnostic", func(e Event) bool {
		d, ok := e.(Diagnostic)
		return ok && strings.HasPrefix(d.What, "oversize")
	})
	if n := rec.count(func(e Event) bool { _, ok := e.(MessageReceived); return ok }); n != 0 {
		t.Errorf("%d refused messages were delivered", n)
	}
	noCallID := strings.Replace(string(rawRequest("MESSAGE", c.AOR(), []string{"Content-Type: text/plain"}, "hi")), "Call-ID:", "X-Call-ID:", 1)
	if res := rc.exchange([]byte(noCallID)); res.StatusCode != 400 {
		t.Errorf("MESSAGE without Call-ID answered %d", res.StatusCode)
	}
	if res := rc.exchange(rawRequest("INFO", c.AOR(), nil, "")); res.StatusCode != 405 || !strings.Contains(headerValue(res, "Allow"), "MESSAGE") {
		t.Errorf("INFO answered:\n%s", res)
	}
	// After all that the connection and the client still work.
	if res := rc.exchange(rawRequest("MESSAGE", c.AOR(), []string{"Content-Type: text/plain; charset=UTF-8"}, "still here")); res.StatusCode != 200 {
		t.Errorf("good MESSAGE after bad ones answered %d", res.StatusCode)
	}
}

// Garbage on a TCP connection closes that connection (there is no message
// boundary left to answer) but the client keeps serving others.
func TestGarbageDoesNotHurt(t *testing.T) {
	c, _ := newTestClient(t, "poisson", "tcp")
	bad := dialRaw(t, tcpAddr(c))
	bad.write([]byte("HELLO WORLD\r\nthis is not sip\r\n\r\n"))
	udp, _ := net.Dial("udp", c.listeners[0].String())
	udp.Write([]byte("\x00\x01garbage datagram"))
	udp.Close()
	good := dialRaw(t, tcpAddr(c))
	if res := good.exchange(rawRequest("OPTIONS", c.AOR(), nil, "")); res.StatusCode != 200 {
		t.Errorf("OPTIONS after garbage answered %d", res.StatusCode)
	}
}

// User-supplied addresses and text cannot inject header lines.
func TestNoHeaderInjection(t *testing.T) {
	c, _ := newTestClient(t, "a", "udp")
	for _, uri := range []string{
		"sip:bob@example.test\r\nX-Evil: 1", "sip:bob@example.test>\nVia: x", "<sip:bob@example.test", "mailto:bob@example.test", "",
	} {
		if _, err := c.SendMessage(context.Background(), uri, "hi"); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("SendMessage(%q) = %v, want ErrInvalidURI", uri, err)
		}
		if err := c.Subscribe(context.Background(), uri); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("Subscribe(%q) = %v, want ErrInvalidURI", uri, err)
		}
	}
	if _, err := New(Config{User: "bob\r\nVia: x"}); !errors.Is(err, ErrInvalidText) {
		t.Errorf("user with CRLF: %v", err)
	}
	if _, err := New(Config{DisplayName: "Bob\"\r\nX: y"}); !errors.Is(err, ErrInvalidText) {
		t.Errorf("display name with CRLF: %v", err)
	}
}

// newFakePager is a pager alone on a fake seam that answers each request
// with answer, keeping its history in memory; it stops at cleanup.
func newFakePager(t *testing.T, answer func(*sip.Request) *sip.Response, opts ...Option) (*pager, *fakeSeam) {
	t.Helper()
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	ua := &fakeSeam{answer: answer}
	ctx, cancel := context.WithCancel(context.Background())
	p := newPager(ctx, ua, &o)
	p.start()
	t.Cleanup(func() {
		p.halt()
		cancel()
		p.wait()
	})
	return p, ua
}

// answering answers every request with code and headers (name, value...).
func answering(code int, reason string, hdrs ...string) func(*sip.Request) *sip.Response {
	return func(req *sip.Request) *sip.Response { return reply(req, code, reason, hdrs...) }
}

// incoming is a MESSAGE from sip:peer@peer.example as the pager gets it.
func incoming(callID string, cseq uint32, contentType, text string) *sip.Request {
	req := sip.NewRequest(sip.MESSAGE, sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"})
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "peer", Host: "peer.example"}, Params: sip.NewParams()}
	from.Params.Add("tag", "peer-tag")
	id := sip.CallIDHeader(callID)
	ct := sip.ContentTypeHeader(contentType)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: req.Recipient, Params: sip.NewParams()})
	req.AppendHeader(&id)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.MESSAGE})
	req.AppendHeader(&ct)
	req.SetBody([]byte(text))
	return req
}

// codes lists the status codes ua answered, in order.
func codes(ua *fakeSeam) []int {
	var out []int
	for _, res := range ua.responses() {
		out = append(out, res.StatusCode)
	}
	return out
}

// A 480 marks the message failed with a retry planned after the first
// backoff step, in the event and in the history; the MESSAGE went out once
// with the text.
func TestPagerTransientFailurePlansRetry(t *testing.T) {
	p, ua := newFakePager(t, answering(480, "Temporarily Unavailable"))
	ctx := context.Background()
	before := time.Now()
	d, err := p.deliver(ctx, "sip:bob@example.test", "are you there?")
	if err != nil || d.Status != MsgFailed || d.Code != 480 || d.Reason != "Temporarily Unavailable" {
		t.Fatalf("deliver = %+v, %v; want failed 480", d, err)
	}
	st, ok := lastEvent(t, ua).(MessageStatus)
	if !ok || st.ID != d.ID || st.Status != MsgFailed || st.Peer != pid("sip:bob@example.test") {
		t.Fatalf("event %+v", lastEvent(t, ua))
	}
	if st.RetryAt.Before(before.Add(5*time.Second)) || st.RetryAt.After(time.Now().Add(5*time.Second)) {
		t.Errorf("retry in %v, want the first backoff step (5s)", st.RetryAt.Sub(before))
	}
	h, err := p.history(ctx, pid("sip:bob@example.test"), 0, 10)
	if err != nil || len(h) != 1 || h[0].ID != d.ID || h[0].State != MsgFailed || h[0].Code != 480 || h[0].RetryAt.IsZero() {
		t.Errorf("history %+v, %v; want the message failed 480 with a retry time", h, err)
	}
	if reqs := ua.requests(); len(reqs) != 1 || reqs[0].Method != sip.MESSAGE || string(reqs[0].Body()) != "are you there?" {
		t.Errorf("sent %d requests: %v", len(reqs), reqs)
	}
}

// A peer's Retry-After on a 503 sets the retry time instead of the backoff.
func TestPagerHonoursRetryAfter(t *testing.T) {
	p, ua := newFakePager(t, answering(503, "Service Unavailable", "Retry-After", "120"))
	before := time.Now()
	d, err := p.deliver(context.Background(), "sip:bob@example.test", "later then")
	if err != nil || d.Status != MsgFailed || d.Code != 503 {
		t.Fatalf("deliver = %+v, %v; want failed 503", d, err)
	}
	st := lastEvent(t, ua).(MessageStatus)
	if st.RetryAt.Before(before.Add(2*time.Minute)) || st.RetryAt.After(time.Now().Add(2*time.Minute)) {
		t.Errorf("retry in %v, want 2m (Retry-After)", st.RetryAt.Sub(before))
	}
}

// A 200 marks the message sent, with no retry.
func TestPagerSent(t *testing.T) {
	p, ua := newFakePager(t, answering(200, "OK"))
	d, err := p.deliver(context.Background(), "sip:bob@example.test", "hello")
	if err != nil || d.Status != MsgSent || d.Code != 200 {
		t.Fatalf("deliver = %+v, %v; want sent 200", d, err)
	}
	if st := lastEvent(t, ua).(MessageStatus); st.Status != MsgSent || !st.RetryAt.IsZero() {
		t.Errorf("event %+v", st)
	}
}

// A retransmitted MESSAGE (same Call-ID, From tag and CSeq) is answered
// 200 each time but stored and announced once; the next CSeq is new.
func TestPagerRetransmissionStoredOnce(t *testing.T) {
	p, ua := newFakePager(t, nil)
	first := incoming("call-1", 1, "text/plain", "only once")
	p.onMessage(first, nil)
	p.onMessage(first.Clone(), nil)
	p.onMessage(incoming("call-1", 2, "text/plain", "next one"), nil)
	if got := codes(ua); !slices.Equal(got, []int{200, 200, 200}) {
		t.Errorf("answered %v, want 200 three times", got)
	}
	var texts []string
	for _, e := range ua.emitted() {
		if m, ok := e.(MessageReceived); ok {
			texts = append(texts, m.Text)
		}
	}
	if !slices.Equal(texts, []string{"only once", "next one"}) {
		t.Errorf("announced %q", texts)
	}
	h, err := p.history(context.Background(), pid("sip:peer@peer.example"), 0, 10)
	if err != nil || len(h) != 2 || h[0].Text != "next one" || h[1].Text != "only once" || h[1].Direction != history.In {
		t.Errorf("history %+v, %v", h, err)
	}
}

// What is not kept: not text (415 with Accept), a blocked sender (200,
// dropped), a stranger over the limit (503 with Retry-After).
func TestPagerRefusals(t *testing.T) {
	blocked := false
	book := funcBook{blocked: func(identity.ID) bool { return blocked }}
	p, ua := newFakePager(t, nil, WithBook(book), WithStrangerLimit(1, 10))
	p.onMessage(incoming("html", 1, "text/html", "<b>hi</b>"), nil)
	p.onMessage(incoming("first", 1, "text/plain", "first"), nil)
	p.onMessage(incoming("second", 1, "text/plain", "over the limit"), nil)
	blocked = true
	p.onMessage(incoming("blocked", 1, "text/plain", "let me in"), nil)
	if got := codes(ua); !slices.Equal(got, []int{415, 200, 503, 200}) {
		t.Fatalf("answered %v, want 415 200 503 200", got)
	}
	res := ua.responses()
	if headerValue(res[0], "Accept") != acceptMessage || headerValue(res[2], "Retry-After") != "60" {
		t.Errorf("415 Accept %q, 503 Retry-After %q", headerValue(res[0], "Accept"), headerValue(res[2], "Retry-After"))
	}
	if evs := ua.emitted(); len(evs) != 1 || evs[0].(MessageReceived).Text != "first" {
		t.Errorf("announced %+v, want only the first", evs)
	}
	if found, _ := p.search(context.Background(), "let", identity.ID{}, 10); len(found) != 0 {
		t.Errorf("the blocked sender's message was stored: %+v", found)
	}
}
