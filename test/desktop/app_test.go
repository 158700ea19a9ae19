package desktop

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startedApp is a parley binary a test started.
type startedApp struct {
	cmd   *exec.Cmd
	cache string        // its XDG_CACHE_HOME, the test's own
	done  chan struct{} // closed once the process has exited
	err   error         // its exit, set before done is closed
}

// startApp runs bin with env and args, its stdout and stderr in the file
// logPath, and a cache directory of the test's own (not the user's). When
// the test ends the process is killed, and if the test failed the log is
// shown.
func startApp(t *testing.T, bin string, env []string, logPath string, args ...string) *startedApp {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() }) // registered first: runs after the kill
	cache := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = append(env, "XDG_CACHE_HOME="+cache), logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &startedApp{cmd: cmd, cache: cache, done: make(chan struct{})}
	go func() { a.err = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		a.wait(10 * time.Second)
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("parley log (%s):\n%s", filepath.Base(logPath), b)
		}
	})
	return a
}

// wait waits up to timeout for the process to exit and returns whether it
// did, and how.
func (a *startedApp) wait(timeout time.Duration) (exited bool, err error) {
	select {
	case <-a.done:
		return true, a.err
	case <-time.After(timeout):
		return false, nil
	}
}
