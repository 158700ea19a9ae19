package sipclient

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
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
			if h, _ := a.History(ctx, pid(b.AOR()), "", 10); len(h) != 2 || h[1].ID != id {
				t.Errorf("a's history %+v: want the sent message with ID %s", h, id)
			}
			if h, _ := b.History(ctx, pid(a.AOR()), "", 10); len(h) != 2 || h[0].ID != d.ID {
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
	if res.StatusCode != 415 || headerValue(res, "Accept") != "text/plain" {
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
