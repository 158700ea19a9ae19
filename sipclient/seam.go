package sipclient

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// seam is what a SIP role needs from the user agent that carries it:
// requests built as ours, sent with authentication, requests answered,
// and a way to say what happened. *Client implements it; a role's unit test fakes it, so each
// role is read and tested without the others.
type seam interface {
	// newRequest builds an out-of-dialog request from us to target with
	// a fresh Call-ID and From tag, routed like any other of ours.
	newRequest(method sip.RequestMethod, target sip.Uri) *sip.Request
	// do sends req and waits for its final answer, answering digest
	// challenges on the way; a non-2xx comes back with a *ResponseError.
	do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	// respond answers req on tx with code, reason and the extra headers
	// given as name/value pairs.
	respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...string) *sip.Response
	// backoff is how long to wait after attempt consecutive failures.
	backoff(attempt int) time.Duration
	// emit tells the application what happened.
	emit(e Event)
	// isClosed says the user agent is closing: no new work.
	isClosed() bool
}

// flowSeam is the seam with what a registrar binding needs of the way to
// the server besides: requests it builds itself stamped as ours, a bare
// transaction for keepalive OPTIONS, the connection a stream transport
// holds, and digest sessions forgotten when that connection drops.
type flowSeam interface {
	seam
	// finishRequest adds the headers every request of ours carries
	// (Contact for transport, Max-Forwards, Allow, User-Agent).
	finishRequest(req *sip.Request, transport string)
	// roundTrip is one transaction without authentication: any final
	// answer comes back without an error.
	roundTrip(ctx context.Context, req *sip.Request) (*sip.Response, error)
	// connection is the open connection to addr over a stream
	// transport, or nil; the caller calls TryClose on it.
	connection(transport, addr string) sip.Connection
	// forgetAuth drops every digest session.
	forgetAuth()
}

var _ flowSeam = (*Client)(nil)

// connection is the open connection to addr, or nil.
func (c *Client) connection(transport, addr string) sip.Connection {
	conn, _ := c.ua.TransportLayer().GetConnection(transport, addr)
	return conn
}

// forgetAuth drops every digest session, e.g. after the server restarted.
func (c *Client) forgetAuth() {
	if c.auth != nil {
		c.auth.forget()
	}
}
