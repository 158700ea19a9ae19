package kamailio

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrExited means Kamailio quit before it answered on its ports.
var ErrExited = errors.New("kamailio: process exited")

// files are the paths of one server's files, all in its temp dir.
type files struct {
	dir, cfg, db, ca, cert, key, pid, run, log string
}

func newFiles(dir string) files {
	p := func(name string) string { return filepath.Join(dir, name) }
	return files{dir: dir, cfg: p("kamailio.cfg"), db: p("kamailio.db"), ca: p("ca.pem"),
		cert: p("cert.pem"), key: p("key.pem"), pid: p("kamailio.pid"), run: p("run"), log: p("kamailio.log")}
}

// Server is one running Kamailio.
type Server struct {
	opts    Options
	f       files
	sipPort int
	tlsPort int
	natPort int // Options.NoForceRport's listener, else 0

	mu   sync.Mutex
	proc *process
}

// Start writes the config, database and certificates of a new server into
// a temp dir, runs Kamailio and returns once its UDP and TCP port answer
// OPTIONS. It is stopped in t.Cleanup, which fails t if it does not exit;
// its log is dumped with t.Log when the test failed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if err := opts.setDefaults(); err != nil {
		t.Fatal(err)
	}
	require(t, &opts)
	s := &Server{opts: opts, f: newFiles(t.TempDir())}
	if err := s.prepare(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("----- kamailio log (%s) -----\n%s", s.f.dir, s.Log())
		}
	})
	var err error
	for range 3 { // an auto-picked port can be taken before Kamailio binds it
		if err = s.startOnNewPorts(); !errors.Is(err, ErrExited) {
			break
		}
	}
	if err != nil {
		t.Fatalf("kamailio: start: %v", err)
	}
	return s
}

func (s *Server) prepare() error {
	if err := os.MkdirAll(s.f.run, 0o700); err != nil {
		return fmt.Errorf("kamailio: %w", err)
	}
	if err := writeCerts(s.f, s.opts.Realm); err != nil {
		return err
	}
	if s.opts.RLS {
		if err := writeRLSText(s.f.dir); err != nil {
			return err
		}
	}
	return createDB(s.f.db, s.opts.SchemaDir, s.opts.Realm, s.opts.DigestAlgorithm, s.opts.Users)
}

func (s *Server) startOnNewPorts() error {
	sip, tls, err := freePorts()
	if err != nil {
		return err
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	d := newCfgData(&s.opts, s.f, sip, tls, secret)
	if s.opts.NoForceRport {
		if d.NATPort, err = freePort(); err != nil {
			return err
		}
	}
	cfg, err := renderConfig(d)
	if err != nil {
		return err
	}
	s.natPort = d.NATPort
	if err := os.WriteFile(s.f.cfg, cfg, 0o600); err != nil {
		return fmt.Errorf("kamailio: write config: %w", err)
	}
	s.sipPort, s.tlsPort = sip, tls
	return s.launch()
}

// launch runs Kamailio with the written config and waits until it answers.
func (s *Server) launch() error {
	p, err := startProcess(s.opts.Binary, s.f)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	if err := waitReady(p, s.UDPAddr(), s.TCPAddr(), s.opts.StartTimeout); err != nil {
		stopErr := s.Stop()
		return errors.Join(err, stopErr)
	}
	return nil
}

// Restart stops the server and starts it again with the same config, ports
// and database (a client sees its connections drop and the server come
// back). Registrations survive only with Options.PersistRegistrations.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.launch(); err != nil {
		t.Fatalf("kamailio: restart: %v", err)
	}
}

// Resume starts a stopped server again on the same ports and database,
// like Restart after a Stop a test wanted to control (the gap between the
// two is the server's downtime).
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	if s.PID() != 0 {
		t.Fatal("kamailio: Resume of a running server")
	}
	if err := s.launch(); err != nil {
		t.Fatalf("kamailio: resume: %v", err)
	}
}

// Stop ends the server: SIGTERM, then SIGKILL to its process group after
// Options.StopTimeout. It returns an error if it did not exit. Idempotent.
func (s *Server) Stop() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.stop(s.opts.StopTimeout)
}

// UDPAddr is "127.0.0.1:PORT", the UDP listener; TCPAddr is the same port
// over TCP; TLSAddr is the TLS listener on its own port.
func (s *Server) UDPAddr() string { return hostPort(s.sipPort) }
func (s *Server) TCPAddr() string { return hostPort(s.sipPort) }
func (s *Server) TLSAddr() string { return hostPort(s.tlsPort) }

// NATAddr is the UDP listener of Options.NoForceRport, "127.0.0.1:PORT",
// where the server neither forces rport nor fixes a NATed Contact; "" without
// that option.
func (s *Server) NATAddr() string {
	if s.natPort == 0 {
		return ""
	}
	return hostPort(s.natPort)
}

// XCAPRoot is the root URI of the XCAP server (RFC 4825) on the SIP TCP
// listener, "http://127.0.0.1:PORT/xcap-root" (no trailing slash). It
// serves the pres-rules application usage (RFC 5025) only; a user's
// document is XCAPRoot()+"/pres-rules/users/sip:USER@"+Domain()+"/index"
// (PresRulesURL). Requests need HTTP digest (realm Realm(), the SIP
// password) and a user can read and write only their own documents. PUT,
// GET and DELETE work (200, or 404 for a missing document; a PUT's 200
// carries an ETag and If-Match is honoured with 412). A PUT makes the
// presence server re-evaluate the user's watchers at once, which matters
// with Options.PresenceAuthorization: a watcher the new rules allow goes
// from pending to active (NOTIFY within milliseconds, possibly twice), one
// blocked is terminated (reason=rejected), a polite-blocked one is active
// with an empty body. A DELETE does not re-evaluate: watchers keep their
// state. The same paths answer HTTPS on TLSAddr.
func (s *Server) XCAPRoot() string { return "http://" + s.TCPAddr() + "/xcap-root" }

// PresRulesURL is the XCAP URI of user's pres-rules document:
// XCAPRoot()+"/pres-rules/users/sip:USER@DOMAIN/index".
func (s *Server) PresRulesURL(user string) string {
	return s.XCAPRoot() + "/pres-rules/users/sip:" + user + "@" + s.Domain() + "/index"
}

// CAFile is the PEM file of the CA that signed the TLS certificate (for
// 127.0.0.1, localhost and the realm).
func (s *Server) CAFile() string { return s.f.ca }

// CAPool is a certificate pool holding only the CA of CAFile: what a
// client trusts to verify the TLS listener.
func (s *Server) CAPool() (*x509.CertPool, error) {
	pem, err := os.ReadFile(s.f.ca)
	if err != nil {
		return nil, fmt.Errorf("kamailio: CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("kamailio: no certificate in %s", s.f.ca)
	}
	return pool, nil
}

// Realm is the digest realm. Domain is the AOR domain, the same name:
// AORs are sip:user@Domain() with the server as outbound proxy at
// UDPAddr/TCPAddr/TLSAddr. Requests to sip:user@127.0.0.1 work too.
func (s *Server) Realm() string  { return s.opts.Realm }
func (s *Server) Domain() string { return s.opts.Realm }

// DigestAlgorithm is MD5 or SHA256, as challenged.
func (s *Server) DigestAlgorithm() string { return s.opts.DigestAlgorithm }

// Dir is the temp dir with config, database, certificates and log.
func (s *Server) Dir() string { return s.f.dir }

// DBFile is the SQLite database.
func (s *Server) DBFile() string { return s.f.db }

// PID is the main process id, 0 when stopped.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.cmd.Process.Pid
}

// Log is everything Kamailio wrote to stderr, over all its runs.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.f.log)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// process is one run of the kamailio binary.
type process struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once reaped
	waitErr error
	logFile *os.File
}

func startProcess(bin string, f files) (*process, error) {
	logFile, err := os.OpenFile(f.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("kamailio: log: %w", err)
	}
	cmd := exec.Command(bin, "-f", f.cfg, "-m", "1024", "-M", "64", "-DD", "-E",
		"-P", f.pid, "-Y", f.run)
	cmd.Dir = f.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("kamailio: run %s: %w", bin, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{}), logFile: logFile}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM, waits up to bound, then SIGKILLs the process group
// (Kamailio's children included) and waits again.
func (p *process) stop(bound time.Duration) error {
	defer p.logFile.Close()
	pid := p.cmd.Process.Pid
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(bound):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		select {
		case <-p.exited:
		case <-time.After(bound):
			return fmt.Errorf("kamailio: pid %d did not exit after SIGKILL", pid)
		}
	}
	return p.reapGroup(pid, bound)
}

// reapGroup waits until no process of Kamailio's group is left, killing
// stragglers after bound.
func (p *process) reapGroup(pgid int, bound time.Duration) error {
	deadline := time.Now().Add(bound)
	for i := 0; i < 200; i++ {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("kamailio: processes of group %d still running", pgid)
}
