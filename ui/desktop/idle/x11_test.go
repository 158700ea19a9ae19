package idle

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/xvfb"
)

// realX starts a private Xvfb and connects to it.
func realX(t *testing.T) (*X11, string) {
	t.Helper()
	display, stop, err := xvfb.Start()
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(stop)
	x, err := OpenX11(display)
	if err != nil {
		t.Fatalf("Xvfb should have MIT-SCREEN-SAVER: %v", err)
	}
	t.Cleanup(x.Close)
	return x, display
}

func moveMouse(t *testing.T, display string, x int) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool is missing: apt-get install -y xdotool (scripts/test.sh does)")
	}
	cmd := exec.Command("xdotool", "mousemove", "10", strconv.Itoa(x))
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, out)
	}
}

// TestX11IdleGoesAndComesBack: on a real X server the state turns idle
// without input and active at the first mouse move.
func TestX11IdleGoesAndComesBack(t *testing.T) {
	x, display := realX(t)
	d := NewDesktop(nil, x, nil, nil)
	ch := d.Watch(t.Context(), 500*time.Millisecond)
	for s := next(t, ch); !s.Idle; s = next(t, ch) {
	}
	moveMouse(t, display, 100)
	if s := next(t, ch); s.Idle {
		t.Fatalf("still idle after the mouse moved: %+v", s)
	}
	r, err := x.Query()
	if err != nil || r.Idle > 10*time.Second {
		t.Fatalf("query after input: %+v %v", r, err)
	}
}
