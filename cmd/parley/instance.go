//go:build unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// errRunning: another Parley holds the profile's lock.
var errRunning = errors.New("another Parley is running for this profile")

// lockInstance takes the lock that lets one Parley run per profile (data
// dir). Two would share the history, and each would send the messages the
// other queued, twice to the peer. The lock goes with the process, however
// it ends. When no lock can be taken at all (no data dir), Parley runs
// unguarded rather than not at all.
func lockInstance(dir string) (release func(), err error) {
	none := func() {}
	if os.MkdirAll(dir, 0o700) != nil {
		return none, nil
	}
	f, err := os.OpenFile(filepath.Join(dir, "parley.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return none, nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errRunning
		}
		return none, nil
	}
	return func() { f.Close() }, nil
}
