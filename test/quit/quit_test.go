// Package quit proves, in a real X server (Xvfb), that a Fyne app as
// Parley builds it exits when it quits while other goroutines wait on
// its main thread (patches/fyne-v2.7.1-quit-drain.patch): released Fyne
// loses a function queued just before the loop stops, and its caller,
// and so Run, waits forever.
package quit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/xvfb"
)

// runs is how many times the app starts and quits: released Fyne hung in
// every one of 20, so 3 make a failure certain enough.
const runs = 3

// exitTimeout bounds one run: it exits in well under a second.
const exitTimeout = 20 * time.Second

func TestQuitWhileGoroutinesWaitOnMain(t *testing.T) {
	display, stop, err := xvfb.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	bin := filepath.Join(t.TempDir(), "quitter")
	if out, err := exec.Command("go", "build", "-o", bin, "./quitter").CombinedOutput(); err != nil {
		t.Fatalf("build quitter: %v\n%s", err, out)
	}
	for i := range runs {
		var out bytes.Buffer
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CONFIG_HOME="+t.TempDir(), "DBUS_SESSION_BUS_ADDRESS=")
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil || !strings.Contains(out.String(), "exited after") {
				t.Fatalf("run %d: %v\n%s", i+1, err, out.String())
			}
		case <-time.After(exitTimeout):
			cmd.Process.Signal(syscall.SIGQUIT) // its goroutines, for the log
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
			t.Fatalf("run %d: the app had not exited %v after it quit:\n%s", i+1, exitTimeout, out.String())
		}
	}
}
