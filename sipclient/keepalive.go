package sipclient

import (
	"context"
	"io"
	"time"

	"github.com/emiago/sipgo/sip"
)

// connectionAlive runs once a second while registered and says whether
// the way to the server still works; false tells the loop to register
// again now.
//
// TCP/TLS: the connection must still be open, and it carries a CRLF
// keepalive (RFC 5626 4.4.1) every KeepAlive; when the registrar runs
// Outbound (Require: outbound) it must answer each with a CRLF pong. UDP
// has no connection: with Outbound, a STUN binding request (RFC 5626
// 4.4.2) that gets no answer, or shows a NAT mapping other than the one we
// registered from, means the flow is gone; without it, an OPTIONS that
// gets no answer at all means the server is gone (any answer, even a
// refusal, means it is there). The same packets keep a NAT's binding
// open. With a Flow-Timer from the registrar, keep-alives go at least
// that often.
func (b *binding) connectionAlive(ctx context.Context, lastPing *time.Time) bool {
	b.mu.Lock()
	registered := b.registered
	b.mu.Unlock()
	if !registered {
		b.pingAt = time.Time{}
		return true
	}
	f := b.flow.Load()
	due := time.Since(*lastPing) >= b.keepAliveEvery(f)
	if due {
		*lastPing = time.Now()
	}
	alive := true
	switch {
	case b.srv.transport != "UDP":
		alive = b.streamAlive(due, f)
	case due && f != nil && f.outbound:
		alive = b.flowAliveUDP(ctx, f)
	case due:
		alive = b.pingUDP(ctx)
	}
	if !alive {
		b.connectionLost()
	}
	return alive
}

// keepAliveEvery is the keep-alive period: the account's, or the
// registrar's Flow-Timer when shorter.
func (b *binding) keepAliveEvery(f *flow) time.Duration {
	d := b.srv.cfg.KeepAlive
	if f != nil && f.interval > 0 && f.interval < d {
		d = f.interval
	}
	return d
}

// streamAlive: the connection the REGISTER went over is still open, takes
// a keepalive when one is due and, with Outbound, answered the last one in
// time. A connection closed under us (RST or FIN from the server or a
// middlebox) is gone from sipgo's pool at once, and noticed at the next
// check, a second later at most (RFC 5626 4.4.1: register again at once).
func (b *binding) streamAlive(due bool, f *flow) bool {
	outbound := f != nil && f.outbound
	conn := b.ua.connection(b.srv.transport, b.srv.proxy)
	if conn == nil {
		b.log.Info("the connection to the server closed")
		return false
	}
	defer conn.TryClose() // the connection was lent to us
	if f != nil && f.conn != "" && conn.LocalAddr().String() != f.conn {
		// Another request opened this one after ours closed: the
		// registrar still knows us by the old one.
		b.log.Info("the connection the registration went over closed", "was", f.conn, "now", conn.LocalAddr().String())
		return false
	}
	local := conn.LocalAddr().String()
	if outbound && !b.pingAt.IsZero() {
		if !b.ua.lastPong(local).Before(b.pingAt) {
			b.pingAt = time.Time{}
		} else if time.Since(b.pingAt) > pongWait(f) {
			b.log.Info("no CRLF pong from the server: the flow failed")
			return false
		}
	}
	if !due {
		return true
	}
	w, ok := conn.(io.Writer) // sipgo's TCP and TLS connections
	if !ok {
		return true
	}
	// The ping's time is taken before it goes: a pong can be read before
	// Write returns.
	if outbound && b.pingAt.IsZero() {
		b.pingAt = time.Now()
	}
	if _, err := w.Write([]byte("\r\n\r\n")); err != nil {
		return false
	}
	return true
}

// pongWait is how long a CRLF ping may wait for its pong: 10 s (RFC 5626
// 4.4.1), less when the registrar's Flow-Timer is shorter: by then the
// registrar takes the flow for dead anyway.
func pongWait(f *flow) time.Duration {
	if f != nil && f.timer > 0 {
		return min(10*time.Second, f.timer)
	}
	return 10 * time.Second
}

// flowAliveUDP: the server answers a STUN binding request, and saw it come
// from where our REGISTER came from. A NAT that dropped or moved our
// mapping shows another address: the registrar would send to the old one.
func (b *binding) flowAliveUDP(ctx context.Context, f *flow) bool {
	pctx, cancel := context.WithTimeout(ctx, b.pingTimeout)
	defer cancel()
	mapped, err := b.ua.stunPing(pctx, b.srv.proxy)
	if ctx.Err() != nil {
		return true // closing, not lost
	}
	if err != nil {
		b.log.Info("no answer to the STUN keep-alive: the flow failed", "error", err)
		return false
	}
	if f.seen != "" && mapped.String() != f.seen {
		b.log.Info("the NAT moved our flow; registering again", "was", f.seen, "now", mapped.String())
		return false
	}
	return true
}

// pingUDP: the server answers an OPTIONS at all.
func (b *binding) pingUDP(ctx context.Context) bool {
	s := b.srv
	req := b.ua.newRequest(sip.OPTIONS, *s.registrar.Clone())
	req.SetDestination(s.proxy)
	pctx, cancel := context.WithTimeout(ctx, b.pingTimeout)
	defer cancel()
	_, err := b.ua.roundTrip(pctx, req) // any final answer will do
	if ctx.Err() != nil {
		return true // closing, not lost
	}
	if err != nil {
		b.log.Info("server does not answer keepalive OPTIONS", "error", err)
	}
	return err == nil
}

// connectionLost: the binding counts as gone, and so do the digest
// sessions with the server; the loop registers again at once.
func (b *binding) connectionLost() {
	b.mu.Lock()
	b.registered = false
	b.mu.Unlock()
	b.pingAt = time.Time{}
	b.dropFlow(b.flow.Load())
	b.ua.forgetAuth()
	b.ua.emit(RegistrationChanged{AOR: b.aor(), State: RegRegistering, Reason: "connection to the server lost; reconnecting"})
}

// dropFlow closes a stream connection to the server that is still open
// but carries nothing (no pong): sipgo would send the next REGISTER into
// it again, so the new registration must open a new flow (RFC 5626
// 4.4.1).
// A newer connection than the flow's is left open: it is healthy, may
// carry another request now, and the new REGISTER can go over it.
func (b *binding) dropFlow(f *flow) {
	if b.srv.transport == "UDP" {
		return
	}
	conn := b.ua.connection(b.srv.transport, b.srv.proxy)
	if conn == nil {
		return
	}
	if f != nil && f.conn != "" && conn.LocalAddr().String() != f.conn {
		conn.TryClose() // lent to us; not the failed flow
		return
	}
	if err := conn.Close(); err != nil {
		b.log.Debug("closing the failed flow", "error", err)
	}
	b.waitForgotten(conn)
}

// waitForgotten waits (bounded: ~200 ms) until sipgo's pool no longer
// lends closed: its reader drops it from the pool when it notices the
// close, a moment later, and a REGISTER sent before that would go into
// the closed connection, fail, and wait out a backoff instead of
// registering again at once.
func (b *binding) waitForgotten(closed sip.Connection) {
	for range 100 {
		c := b.ua.connection(b.srv.transport, b.srv.proxy)
		if c == nil {
			return
		}
		c.TryClose() // lent to us
		if c != closed {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.log.Debug("sipgo still lends the closed flow; registering anyway")
}

// streamConn is the local address of the open stream connection to the
// server, "" on UDP or without one.
func (b *binding) streamConn() string {
	if b.srv.transport == "UDP" {
		return ""
	}
	conn := b.ua.connection(b.srv.transport, b.srv.proxy)
	if conn == nil {
		return ""
	}
	defer conn.TryClose() // lent to us
	return conn.LocalAddr().String()
}
