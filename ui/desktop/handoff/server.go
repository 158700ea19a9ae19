//go:build linux

package handoff

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Sentinels.
var (
	// ErrUnsafeDir: the socket's directory belongs to another user.
	ErrUnsafeDir = errors.New("handoff: socket directory is not the user's own")
	// ErrStranger: the peer runs as another user.
	ErrStranger = errors.New("handoff: peer is another user")
	// ErrNotRunning: no Parley answers on the socket.
	ErrNotRunning = errors.New("handoff: no Parley answers")
)

// maxRequest bounds what one connection may send (a few links).
const maxRequest = 64 << 10

// ioTimeout bounds one exchange, so a stuck peer cannot hold the server.
const ioTimeout = 5 * time.Second

// request is what a second start sends; the answer is one line "ok".
type request struct {
	Args []string `json:"args"`
}

// Server receives the arguments of later starts.
type Server struct {
	ln   *net.UnixListener
	path string
	log  *slog.Logger
	once sync.Once
	done chan struct{}
}

// Listen makes the socket at path, replacing a stale one: the caller holds
// the profile's lock, so no live Parley can own it.
func Listen(path string, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := ownDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("handoff: remove stale socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("handoff: listen: %w", err)
	}
	ln.SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("handoff: socket mode: %w", err)
	}
	return &Server{ln: ln, path: path, log: log, done: make(chan struct{})}, nil
}

// ownDir makes dir with mode 0700, or checks an existing one is the
// user's and takes group and other access away from it.
func ownDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("handoff: socket directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("handoff: socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%w: %s", ErrUnsafeDir, dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, fi.Mode().Perm()&0o700); err != nil {
			return fmt.Errorf("handoff: socket directory mode: %w", err)
		}
	}
	return nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers connections in its own goroutine until Close, handing
// each later start's arguments to handle (called on that goroutine).
func (s *Server) Serve(handle func(args []string)) {
	go func() {
		for {
			c, err := s.ln.AcceptUnix()
			if err != nil {
				select {
				case <-s.done:
				default:
					s.log.Warn("handoff: accept", "error", err)
				}
				return
			}
			s.serve(c, handle)
		}
	}()
}

// serve reads one request, checks who sent it, and acknowledges it.
func (s *Server) serve(c *net.UnixConn, handle func([]string)) {
	defer c.Close()
	if err := samePeer(c); err != nil {
		s.log.Warn("handoff: refused", "error", err)
		return
	}
	c.SetDeadline(time.Now().Add(ioTimeout))
	var req request
	if err := json.NewDecoder(io.LimitReader(c, maxRequest)).Decode(&req); err != nil {
		s.log.Warn("handoff: unreadable request", "error", err)
		return
	}
	handle(req.Args)
	if _, err := io.WriteString(c, "ok\n"); err != nil {
		s.log.Warn("handoff: answer", "error", err)
	}
}

// samePeer checks, with SO_PEERCRED, that the other end of c runs as
// this user.
func samePeer(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("handoff: peer: %w", err)
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return fmt.Errorf("handoff: peer: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("handoff: peer credentials: %w", cerr)
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("%w: uid %d", ErrStranger, cred.Uid)
	}
	return nil
}

// Close stops listening and removes the socket; it is idempotent.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.ln.Close()
	})
	return err
}

// readAck reads the server's one-line answer.
func readAck(c net.Conn) error {
	line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
	if err != nil || line != "ok\n" {
		return fmt.Errorf("%w: no acknowledgement (%v)", ErrNotRunning, err)
	}
	return nil
}
