package natrelay

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// TCPRelay is a middlebox on the TCP path between clients and one server:
// each connection a client opens to it is carried to the server on a
// connection of its own. Stall makes it lose its state silently, as a NAT
// or firewall that times a flow out does: the connections stay open, and
// nothing they carry arrives any more; connections opened after work.
type TCPRelay struct {
	l      net.Listener
	server string

	accepted atomic.Int64

	mu     sync.Mutex
	pairs  []*pair
	closed bool
	wg     sync.WaitGroup
}

type pair struct {
	client, upstream net.Conn
	stalled          atomic.Bool
}

// StartTCP opens a relay on 127.0.0.1 towards the TCP server at server.
func StartTCP(server string) (*TCPRelay, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("natrelay: listen: %w", err)
	}
	r := &TCPRelay{l: l, server: server}
	r.wg.Add(1)
	go r.accept()
	return r, nil
}

// Addr is where clients connect: "127.0.0.1:PORT".
func (r *TCPRelay) Addr() string { return r.l.Addr().String() }

// Stall silently drops every byte the open connections carry, both ways,
// from now on.
func (r *TCPRelay) Stall() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.pairs {
		p.stalled.Store(true)
	}
}

// Reset ends every open connection towards its client with a TCP RST, as
// a firewall or a crashed server does; connections opened after work.
func (r *TCPRelay) Reset() { r.cut(true) }

// Hangup ends every open connection with a FIN both ways, as a server
// that closes a connection does; connections opened after work.
func (r *TCPRelay) Hangup() { r.cut(false) }

func (r *TCPRelay) cut(rst bool) {
	r.mu.Lock()
	pairs := r.pairs
	r.pairs = nil
	r.mu.Unlock()
	for _, p := range pairs {
		if tc, ok := p.client.(*net.TCPConn); ok && rst {
			_ = tc.SetLinger(0) // close sends RST, not FIN
		}
		p.client.Close()
		p.upstream.Close()
	}
}

// Accepted is how many connections clients have opened to the relay.
func (r *TCPRelay) Accepted() int { return int(r.accepted.Load()) }

// Close closes the listener and every connection and waits for the
// goroutines. Idempotent.
func (r *TCPRelay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	pairs := r.pairs
	r.mu.Unlock()
	err := r.l.Close()
	for _, p := range pairs {
		p.client.Close()
		p.upstream.Close()
	}
	r.wg.Wait()
	return err
}

func (r *TCPRelay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.l.Accept()
		if err != nil {
			return // closed
		}
		r.accepted.Add(1)
		up, err := net.Dial("tcp", r.server)
		if err != nil {
			c.Close()
			continue
		}
		p := &pair{client: c, upstream: up}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		r.pairs = append(r.pairs, p)
		r.wg.Add(2)
		r.mu.Unlock()
		go r.carry(p, c, up)
		go r.carry(p, up, c)
	}
}

// carry copies from src to dst until either closes, dropping what comes
// while the pair is stalled.
func (r *TCPRelay) carry(p *pair, src, dst net.Conn) {
	defer r.wg.Done()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.stalled.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				src.Close()
			}
			return
		}
	}
}
