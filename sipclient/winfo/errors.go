package winfo

import "errors"

// Error classes; details are wrapped around them with %w.
var (
	ErrMalformed = errors.New("winfo: malformed watcherinfo document")
	ErrTooLarge  = errors.New("winfo: body too large")
	ErrInvalid   = errors.New("winfo: invalid document")
	// ErrVersionGap means the tracked state can no longer be trusted: a
	// partial document skipped a version, went backwards, or came before
	// any full one. The caller should refresh the subscription to get a
	// full-state NOTIFY.
	ErrVersionGap = errors.New("winfo: version gap, re-subscribe for full state")
)
