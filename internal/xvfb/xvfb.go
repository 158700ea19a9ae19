// Package xvfb starts a private X server (Xvfb) for tests that need a real
// display: the app under test in test/desktop, Fyne's own main loop in
// test/idleloop.
package xvfb

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Hint is what to install for the tests that need a display.
const Hint = "install it: apt-get install -y xvfb xauth (scripts/test.sh does)"

// Bounds on the server's start and stop.
const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

// Start runs Xvfb, 1280x800 in 24 bits, on a display it finds free itself
// (-displayfd), and returns its DISPLAY and a function that stops it. The
// server is stopped with SIGTERM, so it removes its socket and lock file;
// Linux only, like Xvfb.
func Start() (display string, stop func(), err error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return "", nil, fmt.Errorf("xvfb: the Xvfb program is missing: %s", Hint)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, fmt.Errorf("xvfb: %w", err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	// Should the test binary be killed (a timeout), the server goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return "", nil, fmt.Errorf("xvfb: starting Xvfb: %w", err)
	}
	stop = func() { terminate(cmd) }
	r.SetReadDeadline(time.Now().Add(startTimeout))
	n, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("xvfb: the server did not say its display within %v: %w", startTimeout, err)
	}
	return ":" + strings.TrimSpace(n), stop, nil
}

// terminate stops the server with SIGTERM, or kills it if it does not exit.
func terminate(cmd *exec.Cmd) {
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		cmd.Process.Kill()
		<-exited
	}
}
