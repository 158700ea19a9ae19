package baresip

import (
	"errors"
	"fmt"
)

var (
	// ErrNotReady: baresip did not become ready within the timeout.
	ErrNotReady = errors.New("baresip not ready")
	// ErrExited: the baresip process is gone.
	ErrExited = errors.New("baresip exited")
	// ErrCommand: ctrl_tcp answered "ok":false.
	ErrCommand = errors.New("baresip command failed")
	// ErrTimeout: an awaited event did not happen in time.
	ErrTimeout = errors.New("baresip: timed out")
	// ErrUnknownContact: the URI is not in the peer's contact list.
	ErrUnknownContact = errors.New("baresip: not a configured contact")
	// errPortTaken: baresip started but lost an auto-picked port; Start
	// tries again with new ones.
	errPortTaken = errors.New("baresip: port taken")
	// ErrUnsupportedStatus: baresip 1.0 cannot express or show this status.
	ErrUnsupportedStatus = errors.New("baresip: unsupported status")
)

// ResponseError is a non-2xx final response to a request baresip sent.
type ResponseError struct {
	Method string
	Code   int
	Reason string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("baresip: %s answered %d %s", e.Method, e.Code, e.Reason)
}

// StatusCode returns the SIP status code.
func (e *ResponseError) StatusCode() int { return e.Code }
