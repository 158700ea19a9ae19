package sipclient

import (
	"errors"
	"fmt"
)

// Sentinel errors for the classes of failure callers branch on.
var (
	ErrClosed       = errors.New("sipclient: client is closed")
	ErrInvalidURI   = errors.New("sipclient: invalid SIP URI")
	ErrInvalidText  = errors.New("sipclient: invalid text")
	ErrNotFound     = errors.New("sipclient: no such subscription")
	ErrNoResponse   = errors.New("sipclient: no answer from the peer")
	ErrBadStatus    = errors.New("sipclient: unknown status")
	ErrBodyTooLarge = errors.New("sipclient: body too large")
)

// ResponseError is a final non-2xx answer to one of our requests. Callers
// use errors.As to read the status code.
type ResponseError struct {
	Method string
	Code   int
	Reason string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s refused: %d %s", e.Method, e.Code, e.Reason)
}

// StatusCode returns the SIP status code of the refusal.
func (e *ResponseError) StatusCode() int { return e.Code }
