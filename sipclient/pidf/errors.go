package pidf

import "errors"

// Error classes; details are wrapped around them with %w.
var (
	ErrMalformed   = errors.New("pidf: malformed XML")
	ErrNotPresence = errors.New("pidf: not a presence document")
	ErrTooLarge    = errors.New("pidf: body too large")
	ErrContentType = errors.New("pidf: unsupported content type")
	ErrInvalid     = errors.New("pidf: document cannot be encoded")
)
