package clitest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeouts: generous, because the machine may be shared and loaded. They
// bound waits; no test asserts on how long anything took.
const (
	ReadyTimeout = 20 * time.Second // Start waits this long for "ready"
	QuitTimeout  = 10 * time.Second // Quit waits this long for the exit
)

// LogEnv, when set, dumps every CLI's events and stderr at cleanup, not
// only in failed tests.
const LogEnv = "PARLEY_CLI_LOG"

// errBind marks a start that failed because the port was taken.
var errBind = errors.New("listen address in use")

// CLI is one running parley-cli process.
type CLI struct {
	t    testing.TB
	name string   // --user, for messages
	env  []string // KEY=VALUE added to the environment; nil: inherited as is
	cmd  *exec.Cmd
	in   io.WriteCloser

	mu      sync.Mutex
	events  []Event
	eof     bool          // stdout ended: no more events
	changed chan struct{} // closed and replaced on every change
	stderr  lockedBuffer

	exited   chan struct{} // closed once the process is reaped
	exitCode int
	aor      string
	port     int

	inMu     sync.Mutex
	inClosed bool
	stopOnce sync.Once
}

// Start runs parley-cli with args and returns once it printed "ready".
// Without a --listen argument it listens on 127.0.0.1 on a free port,
// retrying on another port (up to 3 attempts) when that one was taken
// meanwhile. The process is killed at cleanup if it is still running.
func Start(t testing.TB, args ...string) *CLI {
	t.Helper()
	return start(t, nil, args)
}

func start(t testing.TB, env, args []string) *CLI {
	t.Helper()
	bin := Build(t)
	fixed := hasListen(args)
	attempts := 3
	if fixed {
		attempts = 1
	}
	var c *CLI
	var err error
	for range attempts {
		a := args
		if !fixed {
			a = append([]string{"--listen", fmt.Sprintf("127.0.0.1:%d", pickPort(t))}, args...)
		}
		c, err = startOnce(t, bin, env, a)
		if err == nil || !errors.Is(err, errBind) {
			break
		}
	}
	if err != nil {
		t.Fatalf("clitest: start parley-cli %s: %v\n%s", strings.Join(args, " "), err, c.dump())
	}
	return c
}

func hasListen(args []string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == "listen" || strings.HasPrefix(a, "listen=") {
			return true
		}
	}
	return false
}

func userOf(args []string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "user="); ok {
			return v
		}
		if a == "user" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return "parley"
}

func startOnce(t testing.TB, bin string, env, args []string) (*CLI, error) {
	c := &CLI{t: t, name: userOf(args), env: env, changed: make(chan struct{}), exited: make(chan struct{})}
	if err := c.spawn(bin, args); err != nil {
		return c, err
	}
	t.Cleanup(c.cleanup)
	ready, _, err := c.waitEvent(0, ReadyTimeout, Match("ready"))
	if err != nil {
		c.kill()
		if strings.Contains(c.stderr.String(), "address already in use") {
			err = fmt.Errorf("%w: %w", errBind, err)
		}
		return c, err
	}
	c.aor = ready.Str("aor")
	c.port = portOf(ready)
	return c, nil
}

// spawn starts the process: stdin a pipe, stdout an os.Pipe read by
// readEvents, stderr into a buffer.
func (c *CLI) spawn(bin string, args []string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	c.cmd = exec.Command(bin, args...)
	if c.env != nil {
		c.cmd.Env = append(os.Environ(), c.env...)
	}
	c.cmd.Stdout, c.cmd.Stderr = w, &c.stderr
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		r.Close()
		w.Close()
		return err
	}
	err = c.cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return fmt.Errorf("exec %s: %w", bin, err)
	}
	c.note("started pid %d: %s", c.cmd.Process.Pid, strings.Join(c.cmd.Args, " "))
	go c.readEvents(r)
	go c.reap()
	return nil
}

func (c *CLI) readEvents(r io.ReadCloser) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		ev := parseEvent(sc.Text())
		c.mu.Lock()
		c.events = append(c.events, ev)
		c.wakeLocked()
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.eof = true
	c.wakeLocked()
	c.mu.Unlock()
}

func (c *CLI) reap() {
	err := c.cmd.Wait()
	c.mu.Lock()
	c.exitCode = c.cmd.ProcessState.ExitCode()
	c.mu.Unlock()
	c.note("pid %d exited: %v", c.cmd.Process.Pid, errOr(err, "status 0"))
	close(c.exited)
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// wakeLocked wakes every waiter; c.mu must be held.
func (c *CLI) wakeLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// note adds a harness line to the stderr log.
func (c *CLI) note(format string, args ...any) {
	c.stderr.Write([]byte("[clitest] " + fmt.Sprintf(format, args...) + "\n"))
}
