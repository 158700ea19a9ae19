package idle

import (
	"fmt"
	"io"
	"log"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/xproto"
)

// Reading is one answer of the X server about the user.
type Reading struct {
	Idle  time.Duration // since the last keyboard or mouse input
	Saver bool          // the screen saver is on (blanked, often locked)
}

// X11 asks the X server how long the user has been idle, through its
// MIT-SCREEN-SAVER extension (one round trip a question, no events).
type X11 struct {
	conn *xgb.Conn
	root xproto.Drawable
}

// xgb prints its connection notes to stderr ("Could not get authority
// info…", a normal case under Xvfb and many sessions); what matters comes
// back as errors, so the notes are not for the user's terminal.
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// OpenX11 connects to display ("" for $DISPLAY) and checks that it has
// the MIT-SCREEN-SAVER extension.
func OpenX11(display string) (*X11, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("idle: X display %q: %w", display, err)
	}
	if err := screensaver.Init(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("idle: X display %q has no MIT-SCREEN-SAVER: %w", display, err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	return &X11{conn: conn, root: xproto.Drawable(root)}, nil
}

// Query reads the idle time and the screen saver's state now.
func (x *X11) Query() (Reading, error) {
	r, err := screensaver.QueryInfo(x.conn, x.root).Reply()
	if err != nil {
		return Reading{}, fmt.Errorf("idle: MIT-SCREEN-SAVER query: %w", err)
	}
	return Reading{Idle: time.Duration(r.MsSinceUserInput) * time.Millisecond,
		Saver: r.State == screensaver.StateOn}, nil
}

// Close ends the connection to the X server.
func (x *X11) Close() { x.conn.Close() }
