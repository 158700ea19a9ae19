package imdn

import "errors"

// Error classes; details are wrapped around them with %w.
var (
	ErrMalformed = errors.New("imdn: malformed XML")
	ErrNotIMDN   = errors.New("imdn: not an IMDN document")
	ErrInvalid   = errors.New("imdn: invalid notification")
	ErrTooLarge  = errors.New("imdn: body too large")
)
