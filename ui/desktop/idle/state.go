package idle

import "errors"

// State is what the desktop says about the user at one moment.
type State struct {
	Idle   bool // no input for the threshold asked for
	Locked bool // the screen is locked, or the screen saver runs
}

// Away: the user is not at the desktop.
func (s State) Away() bool { return s.Idle || s.Locked }

// ErrUnavailable: the desktop offers no way to tell when the user is away.
var ErrUnavailable = errors.New("idle: this desktop does not tell when the user is away")

// Unavailable is what the settings say when no source is found.
const Unavailable = "Parley cannot tell when you are away on this desktop"
