package identity

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched by every error of Parse: the text names no SIP
// identity (empty, another scheme, no host, a bad port or escape...).
var ErrInvalid = errors.New("identity: not a SIP address")

// ID is the identity of a person or a room. The zero ID is no one. IDs are
// comparable and usable as map keys; their text is canonical, so two IDs
// are the same person exactly when they are ==.
type ID struct{ key string }

// Parse returns the identity an address names. It accepts a bare URI
// (sip:bob@example.test), one in angle brackets, or a name-addr with a
// display name and header parameters ("Bob" <sip:bob@x>;tag=1). It is
// idempotent: Parse(id.String()) is id.
func Parse(s string) (ID, error) {
	key, err := canonical(s)
	if err != nil {
		return ID{}, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
	}
	return ID{key}, nil
}

// String is the canonical text, e.g. sip:bob@example.test:5070. It is
// what the history stores as a conversation's peer.
func (id ID) String() string { return id.key }

// IsZero reports whether id is no one.
func (id ID) IsZero() bool { return id.key == "" }

// User is the user part, escaped as in String; "" for a host-only ID.
func (id ID) User() string {
	rest := strings.TrimPrefix(id.key, "sip:")
	if u, _, ok := strings.Cut(rest, "@"); ok {
		return u
	}
	return ""
}

// HostPort is what follows the user part: the host, and the port when it
// is not the default.
func (id ID) HostPort() string {
	rest := strings.TrimPrefix(id.key, "sip:")
	if _, hp, ok := strings.Cut(rest, "@"); ok {
		return hp
	}
	return rest
}

// MarshalText writes the canonical text, so IDs are JSON strings and map
// keys.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.key), nil }

// UnmarshalText reads any spelling Parse takes, so a file written with
// another spelling of an address still loads as the same identity.
func (id *ID) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}
