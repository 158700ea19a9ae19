// Package handoff lets a second start of Parley give its arguments (sip:
// links) to the Parley already running for the same profile, over a unix
// socket only the user can reach: the socket sits in a directory of mode
// 0700, is itself 0600, and the server also checks the peer's uid with
// SO_PEERCRED, so another user is refused even if the modes were loosened.
// The profile's flock stays the one source of truth for "running"; this
// package only carries the message. It does not import Fyne.
package handoff
