package sipclient

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/emiago/sipgo/sip"
)

// credentialRE matches the parts of a message or log line that must never
// be printed: digest responses and any password-like parameter.
var credentialRE = regexp.MustCompile(`(?i)((?:^|[\s,;])(?:response|password|cnonce)\s*=\s*)("[^"]*"|[^\s,;]+)`)

// Redact removes digest responses and passwords from SIP text.
func Redact(s string) string {
	return credentialRE.ReplaceAllString(s, `${1}"<redacted>"`)
}

// sipTrace is the one tracer of the process. sipgo reads its trace hook
// and switch as plain globals, so they are set once here, before any
// connection exists: setting them when a client asks for a trace raced
// with the clients already running. Until one asks it prints nothing.
var sipTrace = &tracer{to: map[io.Writer]int{}}

func init() {
	sip.SIPDebugTracer(sipTrace)
	sip.SIPDebug = true
}

// tracer prints SIP traffic, with credentials redacted, to every writer
// a client asked for (each once, however many clients share it).
type tracer struct {
	mu sync.Mutex
	to map[io.Writer]int // writer → clients using it
	// on is len(to): sipgo calls the tracer for every message read and
	// written, so with no trace asked for it costs one atomic load, not a
	// lock and two string concatenations.
	on atomic.Int32
}

func (t *tracer) SIPTraceRead(transport, laddr, raddr string, msg []byte) {
	if t.on.Load() != 0 {
		t.print("recv", transport, raddr+" -> "+laddr, msg)
	}
}

func (t *tracer) SIPTraceWrite(transport, laddr, raddr string, msg []byte) {
	if t.on.Load() != 0 {
		t.print("send", transport, laddr+" -> "+raddr, msg)
	}
}

func (t *tracer) print(dir, transport, path string, msg []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.to) == 0 {
		return
	}
	text := fmt.Sprintf("--- SIP %s %s %s ---\n%s\n", dir, transport, path, Redact(string(msg)))
	for w := range t.to {
		io.WriteString(w, text)
	}
}

// add starts printing to w (a comparable value, as writers are) and
// returns what stops it.
func (t *tracer) add(w io.Writer) (remove func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.to[w]++
	t.on.Store(int32(len(t.to)))
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.to[w]--; t.to[w] <= 0 {
			delete(t.to, w)
		}
		t.on.Store(int32(len(t.to)))
	}
}

// sipgoLogger is the logger handed to sipgo: ours, with anything that
// could hold credentials (sipgo logs raw data on parse errors) redacted.
func (c *Client) sipgoLogger() *slog.Logger {
	return slog.New(RedactingHandler(c.opt.log.Handler()))
}

// onLateResponse takes a response that matches no transaction: most often
// a retransmitted final answer, or one that came after we gave up.
func (c *Client) onLateResponse(r *sip.Response) {
	c.opt.log.Debug("response without a transaction (retransmission or late)", "response", r.Short())
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

// stackNoise is what sipgo v1.7.3 logs as a warning through its
// package-wide logger though nothing is wrong: a TCP/UDP/WS connection's
// reference count going below zero when a connection already closed is
// released again at shutdown.
var stackNoise = map[string]bool{
	"TCP ref went negative":              true,
	"UDP ref went negative on try close": true,
	"WS ref went negative":               true,
}

// QuietStackNoise wraps h so that sipgo's known-harmless warnings come out
// at Debug, where they do not hide a real warning.
func QuietStackNoise(h slog.Handler) slog.Handler { return quietHandler{h} }

type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && stackNoise[r.Message] {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r = r.Clone()
		r.Level = slog.LevelDebug
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(as)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}
