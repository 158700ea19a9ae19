package idleloop

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// blinkSleepsMax bounds how often the main thread goes to sleep while a
// focused entry's cursor blinks for idleSpan: four blinks, each a fyne.Do
// and a frame or two with their X round trips, ~6 sleeps a blink (~25 in
// all here). Fyne v2.7.1 as released fades the cursor in an animation that
// draws 60 frames a second, each frame at least one sleep: 120 or more.
const blinkSleepsMax = 60

// A focused entry's cursor blinks on the screen, and costs a few wake-ups a
// second, not a frame every 16 ms; once the entry loses focus the loop sleeps.
func TestFocusedEntryBlinksWithoutTicking(t *testing.T) {
	waitAsleep(t)
	onMain(t, func() { win.Canvas().Focus(entry) })
	t.Cleanup(func() { onMain(t, func() { win.Canvas().Unfocus() }) })

	before := mainSleeps(t)
	time.Sleep(idleSpan)
	if slept := mainSleeps(t) - before; slept > blinkSleepsMax {
		t.Errorf("with a focused entry Fyne's main loop slept and woke %d times in %v; want at most %d (a blink twice a second)",
			slept, idleSpan, blinkSleepsMax)
	}
	waitBlink(t)

	onMain(t, func() { win.Canvas().Unfocus() })
	waitAsleep(t)
}

// waitBlink waits until the entry is seen on the screen in two different
// states: nothing else in the window changes, so the cursor is painted
// blinking.
func waitBlink(t *testing.T) {
	t.Helper()
	first := windowPixels(t)
	deadline := time.Now().Add(paintTimeout)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if !bytes.Equal(windowPixels(t), first) {
			return
		}
	}
	t.Fatalf("the focused entry's cursor was not seen to blink within %v", paintTimeout)
}

// windowPixels is what the X server shows of the test window, read with
// ImageMagick's import: nothing changes in it but the entry's cursor.
// (Canvas.Capture reads a buffer GLFW has already swapped away.)
func windowPixels(t *testing.T) []byte {
	t.Helper()
	var id bytes.Buffer
	find := exec.Command("xdotool", "search", "--sync", "--name", "^"+title+"$")
	find.Stdout = &id
	if err := find.Run(); err != nil {
		t.Fatalf("xdotool search: %v", err)
	}
	var out, errOut bytes.Buffer
	imp := exec.Command("import", "-window", strings.TrimSpace(id.String()), "ppm:-")
	imp.Stdout, imp.Stderr = &out, &errOut
	if err := imp.Run(); err != nil {
		t.Fatalf("import (apt-get install -y imagemagick; scripts/test.sh does): %v %s", err, errOut.String())
	}
	return out.Bytes()
}
