package natrelay

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// echo is a UDP server that answers each packet with the sender's
// address, as a registrar's received/rport would.
func echo(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			_, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteToUDP([]byte(from.String()), from)
		}
	}()
	return c
}

func roundTrip(t *testing.T, c *net.UDPConn, to string) string {
	t.Helper()
	ra, _ := net.ResolveUDPAddr("udp", to)
	if _, err := c.WriteToUDP([]byte("ping"), ra); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second)) // a safety net, not a timing assertion
	n, _, err := c.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no answer through the relay: %v", err)
	}
	return string(buf[:n])
}

// The server sees the public mapping, not the client's address; the
// client hears back through it; Drop gives the next packet a new mapping.
func TestRelayMapsAndDrops(t *testing.T) {
	srv := echo(t)
	r, err := Start(srv.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	client, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	defer client.Close()
	seen := roundTrip(t, client, r.Addr())
	if seen == client.LocalAddr().String() || seen != r.Public(client.LocalAddr().String()) {
		t.Fatalf("server saw %s; client %s, mapping %s", seen, client.LocalAddr(), r.Public(client.LocalAddr().String()))
	}
	r.Drop()
	if r.Public(client.LocalAddr().String()) != "" {
		t.Fatal("mapping kept after Drop")
	}
	again := roundTrip(t, client, r.Addr())
	if again == seen {
		t.Fatalf("same public address %s after Drop", again)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

// A TCP relay carries bytes both ways until Stall; then the connection
// stays open and carries nothing, while a new one works.
// tcpEcho is a TCP server that echoes what each connection sends.
func tcpEcho(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { // echo
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						c.Close()
						return
					}
					_, _ = c.Write(buf[:n])
				}
			}()
		}
	}()
	return l
}

func TestTCPRelayStalls(t *testing.T) {
	l := tcpEcho(t)
	r, err := StartTCP(l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// wait bounds a read: long where an echo must come (a safety net),
	// short where none may.
	echoOnce := func(c net.Conn, wait time.Duration) error {
		if _, err := c.Write([]byte("hi")); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(wait))
		buf := make([]byte, 2)
		_, err := c.Read(buf)
		return err
	}
	c1, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	if err := echoOnce(c1, 5*time.Second); err != nil {
		t.Fatalf("before Stall: %v", err)
	}
	r.Stall()
	if err := echoOnce(c1, 300*time.Millisecond); err == nil {
		t.Fatal("a stalled connection still carried bytes")
	}
	c2, err := net.Dial("tcp", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := echoOnce(c2, 5*time.Second); err != nil {
		t.Fatalf("new connection after Stall: %v", err)
	}
}

// Reset ends the open connections with an RST, Hangup with a FIN; a
// connection opened after carries bytes, and Accepted counts them all.
func TestTCPRelayResetAndHangup(t *testing.T) {
	r, err := StartTCP(tcpEcho(t).Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, tc := range []struct {
		name string
		cut  func()
		want error
	}{{"reset", r.Reset, syscall.ECONNRESET}, {"hangup", r.Hangup, io.EOF}} {
		c, err := net.Dial("tcp", r.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("hi")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second)) // a safety net
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatalf("%s: before the cut: %v", tc.name, err)
		}
		tc.cut()
		if _, err := c.Read(buf); !errors.Is(err, tc.want) {
			t.Errorf("%s: read after the cut: %v, want %v", tc.name, err, tc.want)
		}
		c.Close()
	}
	if n := r.Accepted(); n != 2 {
		t.Fatalf("accepted %d connections, want 2", n)
	}
}
