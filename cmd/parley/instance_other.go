//go:build !unix

package main

import "errors"

var errRunning = errors.New("another Parley is running for this profile")

// lockInstance is not guarded on this system.
func lockInstance(string) (func(), error) { return func() {}, nil }
