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
	// ErrWrongPassword: the server refused our digest answer (the user
	// name or password is wrong); retrying with the same one is useless.
	ErrWrongPassword = errors.New("wrong user name or password")
	// ErrAuthFailed: a challenge we cannot answer (unknown algorithm,
	// malformed header).
	ErrAuthFailed = errors.New("cannot answer the server's authentication challenge")
)

// ResponseError is a final non-2xx answer to one of our requests. Callers
// use errors.As to read the status code.
type ResponseError struct {
	Method string
	Code   int
	Reason string
	Err    error // the class, when known: ErrWrongPassword, ErrAuthFailed
}

func (e *ResponseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s refused: %d %s: %v", e.Method, e.Code, e.Reason, e.Err)
	}
	return fmt.Sprintf("%s refused: %d %s", e.Method, e.Code, e.Reason)
}

func (e *ResponseError) Unwrap() error { return e.Err }

// StatusCode returns the SIP status code of the refusal.
func (e *ResponseError) StatusCode() int { return e.Code }
