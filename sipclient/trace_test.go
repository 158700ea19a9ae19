package sipclient

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	in := `Authorization: Digest username="alice", realm="r", nonce="n", uri="sip:r", response="6629fae49393a05397450978507c4ef1", cnonce="abc", qop=auth`
	out := Redact(in)
	if strings.Contains(out, "6629fae4") || strings.Contains(out, `"abc"`) || !strings.Contains(out, `username="alice"`) {
		t.Errorf("Redact = %s", out)
	}
}

// sipgo's refcount warning comes out at Debug, and not at all at Info;
// other warnings pass unchanged.
func TestQuietStackNoise(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		// As sipgo's package-wide logger would be set by main.
		log := slog.New(QuietStackNoise(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))
		log.Warn("TCP ref went negative", "ref", -1)
		log.Warn("something else")
		out := buf.String()
		if !strings.Contains(out, "level=WARN msg=\"something else\"") {
			t.Errorf("at %v a real warning was lost: %q", level, out)
		}
		noise := strings.Contains(out, "ref went negative")
		if noise != (level == slog.LevelDebug) || strings.Contains(out, "level=WARN msg=\"TCP ref") {
			t.Errorf("at %v the refcount warning came out as: %q", level, out)
		}
	}
}

// Two clients sharing one trace writer print each message once, and the
// writer hears nothing more once both have closed.
func TestTraceSharedAndStopped(t *testing.T) {
	trace := &syncBuffer{}
	a, _ := newTestClient(t, "a", "tcp", WithTrace(trace))
	b, rb := newTestClient(t, "b", "tcp", WithTrace(trace))
	if _, err := a.DeliverMessage(context.Background(), b.AOR()+";transport=tcp", "traced once"); err != nil {
		t.Fatal(err)
	}
	rb.wait(t, "message", isMessage("traced once"))
	sends := strings.Count(trace.String(), "--- SIP send ")
	if bodies := strings.Count(trace.String(), "\r\n\r\ntraced once"); bodies != 2 || sends != 2 {
		t.Errorf("trace holds the MESSAGE %d times (sent and received) in %d sends, want 2 and 2:\n%s", bodies, sends, trace)
	}
	a.Close()
	b.Close()
	before := trace.String()
	c, _ := newTestClient(t, "c", "tcp")
	d, rd := newTestClient(t, "d", "tcp")
	if _, err := c.DeliverMessage(context.Background(), d.AOR()+";transport=tcp", "not traced"); err != nil {
		t.Fatal(err)
	}
	rd.wait(t, "message", isMessage("not traced"))
	if trace.String() != before {
		t.Errorf("the closed clients' writer still traces:\n%s", strings.TrimPrefix(trace.String(), before))
	}
}
