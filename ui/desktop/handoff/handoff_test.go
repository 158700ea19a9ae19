//go:build linux

package handoff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// listen starts a server at a socket in a fresh directory and returns it
// with the channel its requests arrive on.
func listen(t *testing.T, path string) (*Server, chan []string) {
	t.Helper()
	srv, err := Listen(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	got := make(chan []string, 4)
	srv.Serve(func(args []string) { got <- args })
	return srv, got
}

func TestSecondStartHandsItsArgumentsOver(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "parley.sock")
	_, got := listen(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want := []string{"sip:bob@127.0.0.1:5070", "sips:carol@127.0.0.1"}
	if err := Send(ctx, path, want); err != nil {
		t.Fatal(err)
	}
	if args := <-got; !slices.Equal(args, want) {
		t.Fatalf("server got %q, want %q", args, want)
	}
	if err := Send(ctx, path, nil); err != nil { // a bare second start: raise only
		t.Fatal(err)
	}
	if args := <-got; len(args) != 0 {
		t.Fatalf("server got %q for no arguments", args)
	}
}

func TestSocketAndItsDirectoryAreOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o755); err != nil { // a directory someone left open
		t.Fatal(err)
	}
	path := filepath.Join(dir, "parley.sock")
	listen(t, path)
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.sock")
	if err := os.WriteFile(path, nil, 0o600); err != nil { // left by a crash
		t.Fatal(err)
	}
	_, got := listen(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Send(ctx, path, []string{"sip:a@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	<-got
}

func TestNoServerIsNotRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := Send(ctx, filepath.Join(t.TempDir(), "none.sock"), nil)
	if !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Send to no server: %v, want ErrNotRunning", err)
	}
}

func TestSocketPathPerProfile(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	a, b := SocketPath("/home/u/.local/share/parley"), SocketPath("/tmp/other-profile")
	if filepath.Dir(a) != "/run/user/1000/parley" || a == b {
		t.Errorf("socket paths %q and %q: want two sockets under $XDG_RUNTIME_DIR/parley", a, b)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	if got := SocketPath("/tmp/other-profile"); filepath.Dir(got) != "/tmp/other-profile/run" {
		t.Errorf("without XDG_RUNTIME_DIR the socket is %q, want it in the data dir", got)
	}
}

// rootOnly skips tests that need to act as another user.
func rootOnly(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to act as another user (the suite runs as root)")
	}
}

func TestDirectoryOfAnotherUserIsRefused(t *testing.T) {
	rootOnly(t)
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(filepath.Join(dir, "parley.sock"), nil); !errors.Is(err, ErrUnsafeDir) {
		t.Fatalf("Listen in nobody's directory: %v, want ErrUnsafeDir", err)
	}
}

// TestAnotherUserIsRefused: even with the socket and its directory opened
// to everyone, a client running as nobody is refused by the SO_PEERCRED
// check: its arguments never reach the handler and it gets no answer.
func TestAnotherUserIsRefused(t *testing.T) {
	rootOnly(t)
	dir, err := os.MkdirTemp("", "handoff-uid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "run", "parley.sock")
	_, got := listen(t, path)
	bin := filepath.Join(dir, "handoff.test")
	copyExe(t, bin)
	for _, p := range []string{dir, filepath.Dir(path), path} {
		if err := os.Chmod(p, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if out := asNobody(t, bin, path); !strings.Contains(out, "connected, then") || !strings.HasSuffix(out, "\nrefused") {
		t.Fatalf("a client as nobody was not refused by the server:\n%s", out)
	}
	select {
	case args := <-got:
		t.Fatalf("the handler got %q from another user", args)
	default:
	}
}

// TestAnotherUserCannotReachSocket: with the modes Listen gives, a
// client running as nobody cannot even connect.
func TestAnotherUserCannotReachSocket(t *testing.T) {
	rootOnly(t)
	dir, err := os.MkdirTemp("", "handoff-mode-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "run", "parley.sock")
	_, got := listen(t, path)
	bin := filepath.Join(dir, "handoff.test")
	copyExe(t, bin)
	if out := asNobody(t, bin, path); !strings.Contains(out, "cannot connect") || !strings.Contains(out, "permission denied") {
		t.Fatalf("a client as nobody reached the socket:\n%s", out)
	}
	select {
	case args := <-got:
		t.Fatalf("the handler got %q from another user", args)
	default:
	}
}

// asNobody runs TestHelperSend as user nobody against the socket at path
// and returns what it printed.
func asNobody(t *testing.T, bin, path string) string {
	t.Helper()
	cmd := exec.Command(bin, "-test.run=^TestHelperSend$")
	cmd.Env = append(os.Environ(), "HANDOFF_HELPER_SOCKET="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper as nobody: %v\n%s", err, out)
	}
	t.Logf("client as nobody: %s", bytes.TrimSpace(out))
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(string(out)), "PASS"))
}

// TestHelperSend is the client run as another user by
// TestAnotherUserIsRefused. It talks to the socket by hand, without
// Send's own check of the server's uid, so what is proven is the
// server's refusal: it prints "refused" when no answer comes.
func TestHelperSend(t *testing.T) {
	path := os.Getenv("HANDOFF_HELPER_SOCKET")
	if path == "" {
		t.Skip("helper process only")
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Printf("uid %d cannot connect: %v\nrefused\n", os.Getuid(), err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(c, `{"args":["sip:evil@127.0.0.1"]}`)
	if err := readAck(c); err != nil {
		fmt.Printf("uid %d connected, then: %v\nrefused\n", os.Getuid(), err)
		return
	}
	fmt.Println("accepted")
}

// copyExe copies the running test binary where another user can run it.
func copyExe(t *testing.T, to string) {
	t.Helper()
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
