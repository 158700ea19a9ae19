package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// ErrNoPlayer: the system has no sound player Parley knows.
var ErrNoPlayer = errors.New("notify: no sound player (install libcanberra-gtk3-module's canberra-gtk-play, or pulseaudio-utils' paplay)")

// messageSound is the freedesktop sound theme's file for a new instant
// message (Debian's sound-theme-freedesktop).
const messageSound = "/usr/share/sounds/freedesktop/stereo/message-new-instant.oga"

// Sound is the command that plays the incoming-message sound. Parley adds
// no audio library: it runs the desktop's own player when there is one.
type Sound struct{ argv []string }

// FindSound looks for a player: canberra-gtk-play plays the sound by its
// theme name (the user's sound theme); paplay and pw-play play the
// freedesktop theme's file.
func FindSound() (Sound, error) {
	if p, err := exec.LookPath("canberra-gtk-play"); err == nil {
		return Sound{argv: []string{p, "-i", "message-new-instant", "-d", "Parley"}}, nil
	}
	if _, err := os.Stat(messageSound); err == nil {
		for _, player := range []string{"paplay", "pw-play"} {
			if p, err := exec.LookPath(player); err == nil {
				return Sound{argv: []string{p, messageSound}}, nil
			}
		}
	}
	return Sound{}, ErrNoPlayer
}

// Play plays the sound and waits until it ends or ctx does.
func (s Sound) Play(ctx context.Context) error {
	if len(s.argv) == 0 {
		return ErrNoPlayer
	}
	if out, err := exec.CommandContext(ctx, s.argv[0], s.argv[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("notify: sound: %w: %s", err, out)
	}
	return nil
}
