package sipclient

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// seam is what a SIP role needs from the user agent that carries it:
// requests built as ours, sent with authentication, and a way to say what
// happened. *Client implements it; a role's unit test fakes it, so each
// role is read and tested without the others.
type seam interface {
	// newRequest builds an out-of-dialog request from us to target with
	// a fresh Call-ID and From tag, routed like any other of ours.
	newRequest(method sip.RequestMethod, target sip.Uri) *sip.Request
	// do sends req and waits for its final answer, answering digest
	// challenges on the way; a non-2xx comes back with a *ResponseError.
	do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	// backoff is how long to wait after attempt consecutive failures.
	backoff(attempt int) time.Duration
	// emit tells the application what happened.
	emit(e Event)
	// isClosed says the user agent is closing: no new work.
	isClosed() bool
}

var _ seam = (*Client)(nil)
