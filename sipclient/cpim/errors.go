package cpim

import "errors"

// Error classes; details are wrapped around them with %w.
var (
	ErrMalformed = errors.New("cpim: malformed message")
	ErrTooLarge  = errors.New("cpim: message too large")
	ErrInvalid   = errors.New("cpim: message cannot be encoded")
)
