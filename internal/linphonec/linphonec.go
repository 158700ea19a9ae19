// Package linphonec drives Debian's linphonec (linphone-cli, liblinphone
// 5.1) as a real peer in tests: a config file of its own (registered
// with a test server, no sound card needed), commands on its stdin, its
// console output and its debug log (which holds the SIP trace) read back.
package linphonec

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/freeport"
)

// Bin is the linphonec the tests run.
const Bin = "/usr/bin/linphonec"

// Options say who linphonec is and where it registers.
type Options struct {
	User, Password, Domain string
	Proxy                  string // e.g. sip:127.0.0.1:5070;transport=tcp
	// ProxyExtra are more keys of the account's [proxy_0] section, e.g.
	// "cpim_in_basic_chat_rooms_enabled=1"; Extra is appended to the
	// config file: more sections.
	ProxyExtra, Extra string
}

// Peer is one running linphonec.
type Peer struct {
	t     testing.TB
	cmd   *exec.Cmd
	stdin io.WriteCloser
	dir   string
	mu    sync.Mutex
	out   strings.Builder
	done  chan struct{}
}

// Require skips the test when linphonec is not installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Bin); err != nil {
		t.Skip("linphonec not installed (Debian package linphone-cli)")
	}
}

// Start runs linphonec with a config written from o; it is stopped when
// the test ends.
func Start(t testing.TB, o Options) *Peer {
	t.Helper()
	Require(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "home", ".local", "share", "linphone"), 0o700); err != nil {
		t.Fatal(err)
	}
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "linphonerc")
	if err := os.WriteFile(rc, []byte(config(o, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Peer{t: t, dir: dir, done: make(chan struct{})}
	p.cmd = exec.Command(Bin, "-c", rc, "-d", "6", "-l", p.LogFile())
	p.cmd.Env = append(os.Environ(), "HOME="+filepath.Join(dir, "home"))
	p.cmd.Dir = dir
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.stdin, _ = p.cmd.StdinPipe()
	stdout, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.read(stdout)
	t.Cleanup(p.stop)
	return p
}

func config(o Options, port int) string {
	aor := "sip:" + o.User + "@" + o.Domain
	return fmt.Sprintf(`[sip]
sip_port=-1
sip_tcp_port=%d
sip_tls_port=-1
default_proxy=0
register_only_when_network_is_up=0
[net]
ipv6=0
[sound]
echocancellation=0
[proxy_0]
reg_proxy=<%s>
reg_route=<%s>
reg_identity=%s
reg_expires=300
reg_sendregister=1
publish=0
%s
[auth_info_0]
username=%s
passwd=%s
realm=%s
domain=%s
%s
`, port, o.Proxy, o.Proxy, aor, o.ProxyExtra, o.User, o.Password, o.Domain, o.Domain, o.Extra)
}

func (p *Peer) read(r io.Reader) {
	defer close(p.done)
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		p.mu.Lock()
		p.out.Write(buf[:n])
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// LogFile is linphonec's debug log, with every SIP message it sent and
// received.
func (p *Peer) LogFile() string { return filepath.Join(p.dir, "linphonec.log") }

// Log reads the debug log.
func (p *Peer) Log() string {
	b, _ := os.ReadFile(p.LogFile())
	return string(b)
}

// Output is what linphonec printed on its console so far.
func (p *Peer) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Send writes one command line.
func (p *Peer) Send(cmd string) {
	if _, err := io.WriteString(p.stdin, cmd+"\n"); err != nil {
		p.t.Errorf("linphonec command %q: %v", cmd, err)
	}
}

// WaitFor waits until cond holds for the console output or the log,
// bounded by timeout, polling.
func (p *Peer) WaitFor(timeout time.Duration, what string, cond func(out, log string) bool) error {
	deadline := time.Now().Add(timeout)
	for {
		if cond(p.Output(), p.Log()) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("linphonec exited while waiting for %s", what)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("linphonec: no %s within %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop asks linphonec to quit, then kills its process group.
func (p *Peer) stop() {
	p.Send("quit")
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	_ = p.cmd.Wait()
}
