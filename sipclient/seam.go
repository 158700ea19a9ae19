package sipclient

import (
	"context"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
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
	// heardFrom takes a request from peer (a MESSAGE, a SUBSCRIBE) as a
	// sign of life: a subscription to them that failed tries again soon.
	heardFrom(peer identity.ID)
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
	// stunPing sends a STUN Binding request to server (host:port) from our
	// SIP UDP socket and returns the address the server saw (RFC 5626
	// 4.4.2); ErrNoResponse when ctx ends first.
	stunPing(ctx context.Context, server string) (*net.UDPAddr, error)
	// lastPong is when bytes (a CRLF pong, RFC 5626 4.4.1, or any
	// message) last came in on the stream connection from local; zero if
	// never.
	lastPong(local string) time.Time
}

// dialogSeam is the seam with what the roles that hold SUBSCRIBE dialogs
// (subscriptions, presentity) need besides: dialogs of ours, the requests
// in them, and answers to the requests that come in.
type dialogSeam interface {
	seam
	// newDialog starts our side of a dialog we open with a request to
	// target: a fresh Call-ID and tag, From us.
	newDialog(target sip.Uri) *dialog
	// dialogRequest builds the next request in d, stamped and routed as
	// ours. It moves d's CSeq: the caller holds the lock that guards d.
	dialogRequest(d *dialog, method sip.RequestMethod) *sip.Request
	// accept answers req 202 Accepted in the dialog whose local tag is
	// tag: the tag in To, the extra headers, then our Contact.
	accept(req *sip.Request, tx sip.ServerTransaction, tag string, hdrs ...string)
}

var (
	_ flowSeam   = (*Client)(nil)
	_ dialogSeam = (*Client)(nil)
)

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

// accept answers req 202 Accepted as the start or the refresh of the
// dialog whose local tag is tag.
func (c *Client) accept(req *sip.Request, tx sip.ServerTransaction, tag string, hdrs ...string) {
	res := sip.NewResponseFromRequest(req, 202, "Accepted", nil)
	res.To().Params.Add("tag", tag)
	addReceived(req, res)
	for i := 0; i+1 < len(hdrs); i += 2 {
		res.AppendHeader(sip.NewHeader(hdrs[i], hdrs[i+1]))
	}
	res.AppendHeader(c.contactHeader(strings.ToUpper(req.Transport())))
	c.send(tx, res)
}

// backoff is WithRetry's range doubled per failure, with a tenth of
// jitter either way: the registration's and the publication's.
// Subscriptions keep their own wait per contact (retry.go).
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.retryMin << min(attempt, 20)
	if d <= 0 || d > c.opt.retryMax {
		d = c.opt.retryMax
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5 + 1))
	return d - d/10 + jitter
}

// heardFrom passes a sign of life from peer on to the subscriptions,
// which hold the only state it changes. The caller names the peer: the
// pager has already read it from the MESSAGE, so the hot path reads a
// From once.
func (c *Client) heardFrom(peer identity.ID) {
	if c.subs != nil {
		c.subs.heard(peer)
	}
}
