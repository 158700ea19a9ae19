// Package idtest helps tests name people: ID is the identity of an address
// the test knows to be valid.
package idtest

import "github.com/parley-im/parley/sipclient/identity"

// ID is identity.Parse for a test's own addresses; "" is no one (the zero
// ID). It panics on an address that is not valid, which is a broken test.
func ID(s string) identity.ID {
	if s == "" {
		return identity.ID{}
	}
	id, err := identity.Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}
