package sipclient

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// connectionAlive runs once a second while registered and says whether
// the way to the server still works; false tells the register loop to
// register again now.
//
// TCP/TLS: the connection must still be open, and it carries a CRLF
// keepalive (RFC 5626 4.4.1) every KeepAlive. UDP has no connection: an
// OPTIONS every KeepAlive that gets no answer at all means the server is
// gone (any answer, even a refusal, means it is there); the same packets
// keep a NAT's binding open.
func (c *Client) connectionAlive(r *registration, lastPing *time.Time) bool {
	r.mu.Lock()
	registered := r.registered
	r.mu.Unlock()
	if !registered {
		return true
	}
	due := time.Since(*lastPing) >= c.server.cfg.KeepAlive
	if due {
		*lastPing = time.Now()
	}
	alive := true
	if c.server.transport == "UDP" {
		if due {
			alive = c.pingUDP(r)
		}
	} else {
		alive = c.streamAlive(due)
	}
	if !alive {
		c.connectionLost(r)
	}
	return alive
}

// streamAlive: the connection is still open, and takes a keepalive when
// one is due.
func (c *Client) streamAlive(due bool) bool {
	s := c.server
	conn, _ := c.ua.TransportLayer().GetConnection(s.transport, s.proxy)
	if conn == nil {
		return false
	}
	defer conn.TryClose() // GetConnection took a reference
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
func (c *Client) pingUDP(r *registration) bool {
	s := c.server
	req := c.newRequest(sip.OPTIONS, *s.registrar.Clone())
	req.SetDestination(s.proxy)
	ctx, cancel := context.WithTimeout(r.ctx, min(c.opt.reqTimeout, 5*time.Second))
	defer cancel()
	_, err := c.roundTrip(ctx, req) // any final answer will do
	if r.ctx.Err() != nil {
		return true // closing, not lost
	}
	if err != nil {
		c.opt.log.Info("server does not answer keepalive OPTIONS", "error", err)
	}
	return err == nil
}

func (c *Client) connectionLost(r *registration) {
	r.mu.Lock()
	r.registered = false
	r.mu.Unlock()
	c.auth.forget()
	c.emit(RegistrationChanged{AOR: c.AOR(), State: RegRegistering, Reason: "connection to the server lost; reconnecting"})
}
