package clitest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

const waitLong = 15 * time.Second

func TestBuildOnce(t *testing.T) {
	a, b := Build(t), Build(t)
	if a != b {
		t.Fatalf("Build built twice: %s, %s", a, b)
	}
	if st, err := os.Stat(a); err != nil || st.Mode()&0o111 == 0 {
		t.Fatalf("binary %s: %v %v", a, st, err)
	}
}

func TestStartEvents(t *testing.T) {
	c := Start(t, "--user", "selftest", "--status", "busy")
	if c.Port() <= 0 || c.AOR() != "sip:selftest@127.0.0.1:"+strconv.Itoa(c.Port()) {
		t.Fatalf("AOR %q, port %d", c.AOR(), c.Port())
	}
	if evs := c.Events(); len(evs) == 0 || evs[0].Name() != "ready" {
		t.Fatalf("first event is not ready: %v", evs)
	}
	mark := c.Len()
	c.Send("frobnicate now")
	ev := c.WaitEventFrom(t, mark, waitLong, Match("error", "what", "command"))
	if !strings.Contains(ev.Str("detail"), "frobnicate") {
		t.Errorf("error event %v does not name the command", ev)
	}
	// The error is also found when scanning from the start.
	c.WaitEvent(t, waitLong, Match("error", "what", "command"))
}

// TestPortRetry makes the first picked port busy and checks that Start
// retries on another one.
func TestPortRetry(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func(t testing.TB) int {
		calls++
		if calls == 1 {
			return busyPort
		}
		return FreePort(t)
	}
	defer func() { pickPort = FreePort }()
	c := Start(t, "--user", "retry")
	if calls != 2 || c.Port() == busyPort {
		t.Fatalf("picked %d ports, listening on %d (busy %d)", calls, c.Port(), busyPort)
	}
}

// fatalRecorder stands in for a test so WaitEvent's failure can be seen.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestWaitAfterExit(t *testing.T) {
	c := Start(t, "--user", "killed")
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := c.Wait(t, waitLong); code != -1 {
		t.Errorf("exit code after SIGKILL = %d, want -1", code)
	}
	if !c.Exited() {
		t.Error("Exited() = false after Wait")
	}
	if _, _, err := c.waitEvent(0, waitLong, Match("never")); !errors.Is(err, errExited) {
		t.Errorf("waitEvent on an ended process = %v, want errExited", err)
	}
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.WaitEvent(rec, waitLong, Match("never"))
	}()
	<-done
	if !strings.Contains(rec.msg, `"event":"ready"`) || !strings.Contains(rec.msg, "exited") {
		t.Errorf("WaitEvent failure does not show the event log:\n%s", rec.msg)
	}
}

func TestEvent(t *testing.T) {
	e := parseEvent(`{"event":"message_status","code":200,"status":"sent","x":null}`)
	if e.Int("code") != 200 || e.Str("code") != "200" || e.Str("x") != "" || !e.Is("message_status", "status", "sent") {
		t.Errorf("parsed %v", e)
	}
	if e.Is("message_status", "status", "failed") || e.Is("message") {
		t.Error("Is matched a different event")
	}
	if bad := parseEvent("not json"); bad.Name() != "invalid" || bad.Str("line") != "not json" {
		t.Errorf("non-JSON line parsed as %v", bad)
	}
}
