package sipclient

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// credentialRE matches the parts of a message or log line that must never
// be printed: digest responses and any password-like parameter.
var credentialRE = regexp.MustCompile(`(?i)((?:^|[\s,;])(?:response|password|cnonce)\s*=\s*)("[^"]*"|[^\s,;]+)`)

// Redact removes digest responses and passwords from SIP text.
func Redact(s string) string {
	return credentialRE.ReplaceAllString(s, `${1}"<redacted>"`)
}

// tracer prints SIP traffic with credentials redacted.
type tracer struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *tracer) SIPTraceRead(transport, laddr, raddr string, msg []byte) {
	t.print("recv", transport, raddr+" -> "+laddr, msg)
}

func (t *tracer) SIPTraceWrite(transport, laddr, raddr string, msg []byte) {
	t.print("send", transport, laddr+" -> "+raddr, msg)
}

func (t *tracer) print(dir, transport, path string, msg []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "--- SIP %s %s %s ---\n%s\n", dir, transport, path, Redact(string(msg)))
}

// installTrace turns sipgo's process-wide SIP tracing on when w is set.
func installTrace(w io.Writer) {
	if w == nil {
		return
	}
	sip.SIPDebugTracer(&tracer{w: w})
	sip.SIPDebug = true
}

// sipgoLogger is the logger handed to sipgo: ours, with anything that
// could hold credentials (sipgo logs raw data on parse errors) redacted.
func (c *Client) sipgoLogger() *slog.Logger {
	return slog.New(RedactingHandler(c.opt.log.Handler()))
}

// RedactingHandler wraps h so that no record it passes on can carry a
// digest response or password.
func RedactingHandler(h slog.Handler) slog.Handler { return redactHandler{h} }

type redactHandler struct{ slog.Handler }

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Value.Kind() == slog.KindString {
			a.Value = slog.StringValue(Redact(a.Value.String()))
		} else if a.Value.Kind() == slog.KindAny {
			a.Value = slog.StringValue(Redact(fmt.Sprint(a.Value.Any())))
		}
		out.AddAttrs(a)
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return redactHandler{h.Handler.WithAttrs(as)}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h.Handler.WithGroup(name)}
}
