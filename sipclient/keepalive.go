package sipclient

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// connectionAlive runs once a second while registered and says whether
// the way to the server still works; false tells the loop to register
// again now.
//
// TCP/TLS: the connection must still be open, and it carries a CRLF
// keepalive (RFC 5626 4.4.1) every KeepAlive. UDP has no connection: an
// OPTIONS every KeepAlive that gets no answer at all means the server is
// gone (any answer, even a refusal, means it is there); the same packets
// keep a NAT's binding open.
func (b *binding) connectionAlive(ctx context.Context, lastPing *time.Time) bool {
	b.mu.Lock()
	registered := b.registered
	b.mu.Unlock()
	if !registered {
		return true
	}
	due := time.Since(*lastPing) >= b.srv.cfg.KeepAlive
	if due {
		*lastPing = time.Now()
	}
	alive := true
	if b.srv.transport == "UDP" {
		if due {
			alive = b.pingUDP(ctx)
		}
	} else {
		alive = b.streamAlive(due)
	}
	if !alive {
		b.connectionLost()
	}
	return alive
}

// streamAlive: the connection is still open, and takes a keepalive when
// one is due.
func (b *binding) streamAlive(due bool) bool {
	conn := b.ua.connection(b.srv.transport, b.srv.proxy)
	if conn == nil {
		return false
	}
	defer conn.TryClose() // the connection was lent to us
	if !due {
		return true
	}
	tc, ok := conn.(*sip.TCPConnection)
	if !ok {
		return true
	}
	_, err := tc.Write([]byte("\r\n\r\n"))
	return err == nil
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
	b.ua.forgetAuth()
	b.ua.emit(RegistrationChanged{AOR: b.aor(), State: RegRegistering, Reason: "connection to the server lost; reconnecting"})
}
