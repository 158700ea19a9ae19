package baresip

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LogEnv, when set in the environment, makes every peer dump its log at
// cleanup, not only in failed tests.
const LogEnv = "PARLEY_BARESIP_LOG"

// Peer is one running baresip process.
type Peer struct {
	t        testing.TB
	opts     Options
	l        *layout
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the process has been reaped
	readDone chan struct{} // closed when its output reached EOF
	out      *output
	ctrl     *ctrlConn

	sendMu sync.Mutex // serialises contact selection + message
	cur    int        // index of the contact module's current contact

	recvMu sync.Mutex
	taken  map[string]bool // incoming MESSAGE transactions already returned

	stopOnce sync.Once
}

// Start runs baresip with opts and returns once it accepts commands and its
// own status is set. The process is stopped in t.Cleanup; its log is dumped
// with t.Log if the test failed. Start skips the test if baresip is not
// installed and fails it on any other problem.
func Start(t testing.TB, opts Options) *Peer {
	t.Helper()
	bin, err := exec.LookPath(cmpOr(opts.Binary, "baresip"))
	if err != nil {
		t.Skipf("baresip binary not installed (%v); apt-get install baresip", err)
	}
	opts.Binary = bin
	if err := opts.setDefaults(); err != nil {
		t.Fatal(err)
	}
	// An auto-picked port can be taken before baresip binds it: the SIP
	// port when none was given, the ctrl_tcp port always.
	var p *Peer
	for i := 0; i < 3; i++ {
		p, err = startOnce(t, opts)
		if err == nil {
			return p
		}
		retry := errors.Is(err, errPortTaken) || opts.ListenAddr == "" && errors.Is(err, ErrExited)
		if !retry {
			break
		}
	}
	log := ""
	if p != nil {
		log = p.Log()
	}
	t.Fatalf("baresip: start %s: %v\n----- baresip log -----\n%s", opts.User, err, log)
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func startOnce(t testing.TB, opts Options) (*Peer, error) {
	l, err := opts.newLayout(t.TempDir())
	if err != nil {
		return nil, err
	}
	if err := opts.writeFiles(l); err != nil {
		return nil, err
	}
	p := &Peer{t: t, opts: opts, l: l, out: newOutput(), taken: map[string]bool{},
		exited: make(chan struct{}), readDone: make(chan struct{})}
	if err := p.spawn(); err != nil {
		return p, err
	}
	t.Cleanup(p.cleanup)
	if err := p.waitReady(); err != nil {
		p.stop()
		return p, err
	}
	return p, nil
}

// spawn starts the process with stdout and stderr on one pipe, so the SIP
// trace and the log lines keep their order.
func (p *Peer) spawn() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	secs := strconv.Itoa(int(p.opts.MaxLifetime / time.Second))
	p.cmd = exec.Command(p.opts.Binary, "-f", p.l.dir, "-s", "-t", secs)
	p.cmd.Dir = p.l.dir
	p.cmd.Stdout, p.cmd.Stderr = w, w
	err = p.cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return fmt.Errorf("baresip: exec: %w", err)
	}
	p.out.note(fmt.Sprintf("started pid %d: %s", p.cmd.Process.Pid, strings.Join(p.cmd.Args, " ")))
	go func() {
		defer close(p.readDone)
		defer r.Close()
		p.out.consume(r)
	}()
	go func() {
		err := p.cmd.Wait()
		p.out.note(fmt.Sprintf("pid %d exited: %v", p.cmd.Process.Pid, err))
		close(p.exited)
	}()
	return nil
}

// waitReady waits for "baresip is ready.", connects ctrl_tcp, checks that the
// control port belongs to this process (its UA list shows our AOR) and sets
// the initial status.
func (p *Peer) waitReady() error {
	deadline := time.Now().Add(p.opts.Timeout)
	err := p.out.waitFor(p.opts.Timeout, func() bool { return p.out.containsLocked("baresip is ready.") })
	if err != nil {
		return fmt.Errorf("waiting for \"baresip is ready.\": %w", err)
	}
	if p.out.contains("ctrl_tcp: failed to listen") {
		return fmt.Errorf("%w: ctrl_tcp port %s taken", errPortTaken, p.l.ctrlAddr)
	}
	p.ctrl, err = dialCtrl(p.l.ctrlAddr, deadline, func(ev string) { p.out.note("ctrl_tcp event " + ev) })
	if err != nil {
		return err
	}
	data, err := p.command("reginfo", "")
	if err != nil {
		return err
	}
	if !strings.Contains(strings.ToLower(data), aorKey(p.l.aor)) {
		return fmt.Errorf("%w: ctrl_tcp %s lists %q, not %s", ErrNotReady, p.l.ctrlAddr, data, p.l.aor)
	}
	if strings.EqualFold(p.opts.Status, "unknown") {
		return nil
	}
	return p.SetStatus(p.opts.Status)
}

// command runs one ctrl_tcp command with the peer's timeout and notes it
// in the log.
func (p *Peer) command(cmd, params string) (string, error) {
	data, err := p.quietCommand(cmd, params)
	p.out.note(fmt.Sprintf("command %s %q -> %q err=%v", cmd, params, stripANSI(data), err))
	return data, err
}

// quietCommand is command without the log note, for polling.
func (p *Peer) quietCommand(cmd, params string) (string, error) {
	select {
	case <-p.exited:
		return "", fmt.Errorf("%s: %w", cmd, ErrExited)
	default:
	}
	return p.ctrl.do(cmd, params, p.opts.Timeout)
}

// Command runs a raw baresip command (as listed by "help") over ctrl_tcp and
// returns its output.
func (p *Peer) Command(cmd, params string) (string, error) { return p.command(cmd, params) }

func (p *Peer) cleanup() {
	p.stop()
	select {
	case <-p.readDone:
	case <-time.After(2 * time.Second):
	}
	if p.t.Failed() || os.Getenv(LogEnv) != "" {
		p.t.Logf("----- baresip %s log -----\n%s", p.l.aor, p.Log())
	}
}

// stop ends the process: SIGTERM makes baresip unsubscribe and terminate
// its subscriptions; it waits for those transactions, so after 2 s a second
// SIGTERM makes it exit at once, and SIGKILL follows 2 s later.
func (p *Peer) stop() {
	p.stopOnce.Do(func() {
		if p.ctrl != nil {
			p.ctrl.close()
		}
		for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGKILL} {
			select {
			case <-p.exited:
				return
			default:
			}
			_ = p.cmd.Process.Signal(sig)
			select {
			case <-p.exited:
				return
			case <-time.After(2 * time.Second):
				p.out.note(fmt.Sprintf("still running 2 s after %v", sig))
			}
		}
		p.t.Errorf("baresip pid %d did not exit after SIGKILL", p.cmd.Process.Pid)
	})
}

// Stop ends baresip now instead of at cleanup; it is idempotent.
func (p *Peer) Stop() { p.stop() }

// AOR is the peer's address of record, e.g. "sip:bob@127.0.0.1:5062" (with
// ";transport=tcp" when Transport is tcp). Presence entity and MESSAGE From
// carry it without parameters.
func (p *Peer) AOR() string { return p.l.aor }

// ListenAddr is the host:port baresip listens on (UDP and TCP).
func (p *Peer) ListenAddr() string { return p.l.sipAddr }

// PID is the process id.
func (p *Peer) PID() int { return p.cmd.Process.Pid }

// Log is baresip's output so far (colour codes removed), including the SIP
// trace and the harness's own notes.
func (p *Peer) Log() string { return p.out.String() }

// Messages returns every SIP message traced so far, in order, both sent and
// received (UDP retransmissions appear more than once).
func (p *Peer) Messages() []*SIPMessage {
	p.out.mu.Lock()
	defer p.out.mu.Unlock()
	return append([]*SIPMessage(nil), p.out.msgs...)
}
