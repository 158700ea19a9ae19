package clitest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// errExited: the process ended (stdout closed) without the awaited event.
var errExited = errors.New("parley-cli exited")

// errTimeout: the awaited event did not come in time.
var errTimeout = errors.New("timed out")

// waitEvent returns the first event at index >= from that matches, and its
// index, waiting up to timeout for more events to arrive.
func (c *CLI) waitEvent(from int, timeout time.Duration, match func(Event) bool) (Event, int, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	next := max(from, 0)
	for {
		c.mu.Lock()
		evs, eof, ch := c.events, c.eof, c.changed
		c.mu.Unlock()
		for ; next < len(evs); next++ {
			if match(evs[next]) {
				return evs[next], next, nil
			}
		}
		if eof {
			return nil, -1, errExited
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil, -1, fmt.Errorf("%w after %v", errTimeout, timeout)
		}
	}
}

// WaitEvent returns the first event, among all seen so far and those still
// to come, for which match is true. It fails the test with the whole event
// log if none comes within timeout or the process ends first. Call it from
// the test's goroutine.
func (c *CLI) WaitEvent(t testing.TB, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	return c.WaitEventFrom(t, 0, timeout, match)
}

// WaitEventFrom is WaitEvent considering only events with index >= from;
// take from with Len before the command whose effect is awaited.
func (c *CLI) WaitEventFrom(t testing.TB, from int, timeout time.Duration, match func(Event) bool) Event {
	t.Helper()
	ev, _, err := c.waitEvent(from, timeout, match)
	if err != nil {
		t.Fatalf("%s: no matching event from #%d: %v\n%s", c.name, from, err, c.dump())
	}
	return ev
}

// HasEventFrom tells whether an event with index >= from matches, among
// those seen and those coming within timeout: for a test that acts again
// when the first action had no effect.
func (c *CLI) HasEventFrom(from int, timeout time.Duration, match func(Event) bool) bool {
	_, _, err := c.waitEvent(from, timeout, match)
	return err == nil
}

// Events returns a copy of every event seen so far, in order.
func (c *CLI) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// Len is the number of events seen so far.
func (c *CLI) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// AOR is the address the ready event announced, e.g. sip:alice@127.0.0.1:5062.
func (c *CLI) AOR() string { return c.aor }

// Port is the UDP and TCP port the process listens on.
func (c *CLI) Port() int { return c.port }

// PID is the process id.
func (c *CLI) PID() int { return c.cmd.Process.Pid }

// Stderr is what the process wrote to stderr so far, with the harness's
// notes.
func (c *CLI) Stderr() string { return c.stderr.String() }

// Send writes one command line to stdin. A failed write (the process is
// gone) or a line break inside cmd fails the test.
func (c *CLI) Send(cmd string) {
	if strings.ContainsAny(cmd, "\r\n") {
		c.t.Errorf("%s: command %q contains a line break", c.name, cmd)
		return
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if c.inClosed {
		c.t.Errorf("%s: send %q after stdin was closed", c.name, cmd)
		return
	}
	c.note("stdin: %s", cmd)
	if _, err := c.in.Write([]byte(cmd + "\n")); err != nil {
		c.t.Errorf("%s: send %q: %v", c.name, cmd, err)
	}
}

// CloseStdin closes stdin: parley-cli treats end of input like quit.
func (c *CLI) CloseStdin() {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if !c.inClosed {
		c.inClosed = true
		c.in.Close()
	}
}

// Signal sends sig to the process.
func (c *CLI) Signal(sig os.Signal) error {
	c.note("signal %v", sig)
	return c.cmd.Process.Signal(sig)
}

// Quit asks the process to quit (RequestQuit) and returns its exit code
// (see Wait).
func (c *CLI) Quit(t testing.TB) int {
	t.Helper()
	c.RequestQuit()
	return c.Wait(t, QuitTimeout)
}

// RequestQuit sends "quit" and closes stdin, without waiting. It does
// nothing the second time, or once the process has ended.
func (c *CLI) RequestQuit() {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if c.inClosed || c.Exited() {
		return
	}
	c.note("stdin: quit, then close")
	if _, err := c.in.Write([]byte("quit\n")); err != nil {
		c.note("writing quit: %v", err) // it may be exiting already; end of input says the same
	}
	c.inClosed = true
	c.in.Close()
}

// Wait waits up to timeout for the process to exit and returns its exit
// code (-1 if a signal ended it). If it is still running, Wait fails the
// test, asks for a goroutine dump (SIGQUIT, into stderr), kills it and
// returns -1.
func (c *CLI) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-c.exited:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.exitCode
	case <-time.After(timeout):
	}
	_ = c.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
	case <-time.After(3 * time.Second):
		c.kill()
	}
	t.Errorf("%s: still running %v after it was asked to exit; killed", c.name, timeout)
	return -1
}

// Exited reports whether the process has ended.
func (c *CLI) Exited() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// kill ends the process with SIGKILL if it is still running and waits
// (bounded) until it is reaped.
func (c *CLI) kill() {
	if c.Exited() {
		return
	}
	c.note("killing pid %d", c.cmd.Process.Pid)
	_ = c.cmd.Process.Kill()
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		c.t.Errorf("%s: pid %d not reaped 5 s after SIGKILL", c.name, c.cmd.Process.Pid)
	}
}

// cleanup kills a process the test left running and dumps the logs of a
// failed test.
func (c *CLI) cleanup() {
	c.stopOnce.Do(func() {
		c.CloseStdin()
		c.kill()
		if c.t.Failed() || os.Getenv(LogEnv) != "" {
			c.t.Logf("----- parley-cli %s -----\n%s", c.name, c.dump())
		}
	})
}

// dump renders the event log and stderr for failure messages.
func (c *CLI) dump() string {
	if c == nil {
		return ""
	}
	return "events:\n" + formatEvents(c.Events()) + "stderr:\n" + c.stderr.String()
}
