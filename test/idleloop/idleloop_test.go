package idleloop

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// Waits are bounded generously, because the machine may be shared and
// loaded; no test asserts how long anything took.
const (
	quiet         = time.Second      // no wake-up for this long: the loop sleeps
	idleSpan      = 2 * time.Second  // how long a sleeping loop is watched
	settleTimeout = 30 * time.Second // for the loop to fall asleep
	paintTimeout  = 10 * time.Second // for a change to be painted
)

var (
	red   = color.NRGBA{R: 0xff, A: 0xff}
	blue  = color.NRGBA{B: 0xff, A: 0xff}
	green = color.NRGBA{G: 0xff, A: 0xff}
)

// With nothing to do, the loop does not wake at all: Fyne v2.7.1 as
// released wakes 60 times a second (~120 here).
func TestLoopSleepsWhenNothingChanges(t *testing.T) {
	waitAsleep(t)
	assertAsleep(t)
}

// fyne.Do from another goroutine, as Parley's event pump calls it, wakes the
// sleeping loop, which paints the change; then it sleeps again.
func TestDoIsPaintedWhileAsleep(t *testing.T) {
	waitAsleep(t)
	drainPaints()
	fyne.Do(func() { probe.setFill(red) })
	waitPaint(t, "a colour set with fyne.Do", func(p paint) bool { return p.fill == red })
	waitAsleep(t)
}

// An animation started while the loop sleeps runs to its end, although its
// ticks change nothing until the last one; then the loop sleeps again.
func TestAnimationRunsWhileAsleep(t *testing.T) {
	waitAsleep(t)
	drainPaints()
	anim := fyne.NewAnimation(300*time.Millisecond, func(f float32) {
		if f == 1 {
			probe.setFill(blue)
		}
	})
	anim.Curve = fyne.AnimationLinear // only the last tick is 1
	anim.Start()
	waitPaint(t, "the last frame of an animation", func(p paint) bool { return p.fill == blue })
	waitAsleep(t)
}

// A click wakes the sleeping loop and reaches the button under it.
func TestClickReachesButtonWhileAsleep(t *testing.T) {
	var x, y int
	onMain(t, func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(button)
		scale := win.Canvas().Scale()
		x = int((pos.X + button.Size().Width/2) * scale)
		y = int((pos.Y + button.Size().Height/2) * scale)
	})
	waitAsleep(t)
	for len(tapped) > 0 {
		<-tapped
	}
	xdotool(t, "mousemove", "--window", "%1", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	select {
	case <-tapped:
	case <-time.After(paintTimeout):
		t.Fatalf("a click at %d,%d did not tap the button within %v", x, y, paintTimeout)
	}
	waitAsleep(t)
}

// Resizing the window wakes the sleeping loop, which paints the new size.
func TestResizeIsPaintedWhileAsleep(t *testing.T) {
	var width int
	var size fyne.Size
	onMain(t, func() {
		width = int(probe.raster.Size().Width * win.Canvas().Scale())
		size = win.Canvas().Size()
	})
	waitAsleep(t)
	drainPaints()
	w, h := int(size.Width)+100, int(size.Height)+40
	xdotool(t, "windowsize", "%1", strconv.Itoa(w), strconv.Itoa(h))
	waitPaint(t, "the window resized", func(p paint) bool { return p.width > width })
	waitAsleep(t)
}

// A hidden window costs nothing either, and shows its latest state when it
// is shown again.
func TestHiddenWindowSleepsAndShowsAgain(t *testing.T) {
	onMain(t, win.Hide)
	waitAsleep(t)
	assertAsleep(t)
	drainPaints()
	fyne.Do(func() {
		probe.setFill(green)
		win.Show()
	})
	waitPaint(t, "a colour set while hidden, once shown", func(p paint) bool { return p.fill == green })
	waitAsleep(t)
}

// mainWakeups is how many times the process's main thread, which runs
// Fyne's loop and nothing else, has been switched in.
func mainWakeups(t *testing.T) int {
	return mainSwitches(t, "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")
}

// mainSleeps is how many times the main thread went to sleep by itself: a
// loop that ticks sleeps at least once a tick, and the count does not grow
// when other processes preempt it.
func mainSleeps(t *testing.T) int {
	return mainSwitches(t, "voluntary_ctxt_switches")
}

// mainSwitches sums the main thread's counters of /proc status named fields.
func mainSwitches(t *testing.T, fields ...string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/status", os.Getpid()))
	if err != nil {
		t.Fatalf("reading the main thread's switches: %v", err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && slices.Contains(fields, name) {
			c, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("reading %q: %v", line, err)
			}
			n += c
		}
	}
	return n
}

// neverAsleep is set once the loop failed to fall asleep: later tests fail
// at once instead of waiting for it again.
var neverAsleep string

// waitAsleep waits until the loop has not woken for a second.
func waitAsleep(t *testing.T) {
	t.Helper()
	if neverAsleep != "" {
		t.Fatal(neverAsleep)
	}
	deadline := time.Now().Add(settleTimeout)
	last, since := mainWakeups(t), time.Now()
	for time.Since(since) < quiet {
		if time.Now().After(deadline) {
			before := mainWakeups(t)
			time.Sleep(quiet)
			neverAsleep = fmt.Sprintf("Fyne's main loop never fell asleep: it woke %d times in %v. "+
				"Is Fyne patched (patches/)? bash scripts/test.sh builds with it; "+
				"after it ran once, so does GOWORK=$PWD/.build/go.work go test ./test/idleloop",
				mainWakeups(t)-before, quiet)
			t.Fatal(neverAsleep)
		}
		time.Sleep(50 * time.Millisecond)
		if n := mainWakeups(t); n != last {
			last, since = n, time.Now()
		}
	}
}

// assertAsleep fails if the loop wakes while it is watched for idleSpan.
func assertAsleep(t *testing.T) {
	t.Helper()
	before := mainWakeups(t)
	time.Sleep(idleSpan)
	if woke := mainWakeups(t) - before; woke != 0 {
		t.Errorf("Fyne's main loop woke %d times in %v with nothing to do; want 0", woke, idleSpan)
	}
}

// onMain runs f on the Fyne thread and waits for it, failing t if the loop
// does not run it.
func onMain(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	fyne.Do(func() {
		f()
		close(done)
	})
	select {
	case <-done:
	case <-time.After(paintTimeout):
		t.Fatalf("fyne.Do did not run within %v", paintTimeout)
	}
}

func drainPaints() {
	for {
		select {
		case <-probe.painted:
		default:
			return
		}
	}
}

// waitPaint waits until the probe paints an image that ok accepts.
func waitPaint(t *testing.T, what string, ok func(paint) bool) {
	t.Helper()
	timeout := time.After(paintTimeout)
	for {
		select {
		case p := <-probe.painted:
			if ok(p) {
				return
			}
		case <-timeout:
			t.Fatalf("%s was not painted within %v", what, paintTimeout)
		}
	}
}

// xdotool runs xdotool on the test window (%1 in args), in the test's X
// server.
func xdotool(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Fatal("xdotool is missing: install it: apt-get install -y xdotool (scripts/test.sh does)")
	}
	args = append([]string{"search", "--sync", "--name", "^" + title + "$"}, args...)
	var out bytes.Buffer
	cmd := exec.Command("xdotool", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
}
