// Package xvfb starts a private X server (Xvfb) for tests that need a real
// display: the app under test in test/desktop, Fyne's own main loop in
// test/idleloop.
package xvfb

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// Hint is what to install for the tests that need a display.
const Hint = "install it: apt-get install -y xvfb xauth (scripts/test.sh does)"

// startTimeout bounds the wait for a new server's socket.
const startTimeout = 10 * time.Second

// Start runs Xvfb, 1280x800 in 24 bits, on the first display from an offset
// chosen by the process ID whose socket is free, and returns its DISPLAY and
// a function that stops it.
func Start() (display string, stop func(), err error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return "", nil, fmt.Errorf("xvfb: the Xvfb program is missing: %s", Hint)
	}
	for n := 90 + os.Getpid()%50; n < 200; n++ {
		socket := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(socket); err == nil {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command("Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			return "", nil, fmt.Errorf("xvfb: starting Xvfb: %w", err)
		}
		stop := func() { cmd.Process.Kill(); cmd.Wait() }
		for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if _, err := os.Stat(socket); err == nil {
				return display, stop, nil
			}
		}
		stop()
		return "", nil, fmt.Errorf("xvfb: the server on %s did not start within %v", display, startTimeout)
	}
	return "", nil, errors.New("xvfb: no free X display between :90 and :199")
}
