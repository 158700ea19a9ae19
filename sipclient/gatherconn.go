package sipclient

import (
	"net"
	"runtime"
	"sync"
	"time"
)

const (
	// closeGrace bounds how long Close waits for a running flush.
	closeGrace = 200 * time.Millisecond
	// maxGather bounds what waits for the flusher. A Write that finds this
	// much waits for the flush to end, as a Write to a full socket would:
	// a peer that sends and never reads cannot make us hold its answers.
	maxGather = 256 << 10
)

// gatherListener gives sipgo connections that gather writes: the 200s to
// a burst of MESSAGEs on one connection leave in one write system call
// instead of one each. A group commit wakes a batch of handlers at once,
// and each answered with its own write: on a 2-core machine that was a
// fifth of the receiver's CPU, and the sender paid a read per answer too.
type gatherListener struct{ net.Listener }

func (l gatherListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newGatherConn(c), nil
}

// gatherConn is a net.Conn whose concurrent Writes are combined. The first
// writer becomes the flusher: it yields once, so the writers runnable
// beside it can add theirs, then writes whatever has gathered until
// nothing is left. The others return at once. Bytes leave in the order
// the Writes were called; with one writer at a time it is a plain Write
// plus one yield.
//
// A Write that returned has handed its bytes to the flusher, as a Write to
// a socket hands them to the kernel: a failure afterwards closes the
// connection (the reader sees it, as for any broken connection) and every
// later Write returns it.
type gatherConn struct {
	net.Conn

	mu       sync.Mutex
	pending  []byte
	spare    []byte        // the previous flush's buffer, reused
	flushing chan struct{} // non-nil while a flusher runs; closed when it ends
	err      error
}

func newGatherConn(c net.Conn) *gatherConn { return &gatherConn{Conn: c} }

func (g *gatherConn) Write(p []byte) (int, error) {
	g.mu.Lock()
	for g.err == nil && g.flushing != nil && len(g.pending) >= maxGather {
		done := g.flushing
		g.mu.Unlock()
		<-done
		g.mu.Lock()
	}
	if g.err != nil {
		err := g.err
		g.mu.Unlock()
		return 0, err
	}
	g.pending = append(g.pending, p...)
	if g.flushing != nil {
		g.mu.Unlock()
		return len(p), nil
	}
	done := make(chan struct{})
	g.flushing = done
	g.mu.Unlock()

	runtime.Gosched() // with nothing else runnable it returns at once
	err := g.flush()
	close(done)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes what has gathered until nothing is left, and ends the
// flushing state under the same lock that saw the buffer empty.
func (g *gatherConn) flush() error {
	for {
		g.mu.Lock()
		out := g.pending
		if len(out) == 0 {
			g.flushing = nil
			g.mu.Unlock()
			return nil
		}
		g.pending, g.spare = g.spare[:0], nil
		g.mu.Unlock()

		_, err := g.Conn.Write(out)

		g.mu.Lock()
		g.spare = out[:0]
		if err != nil {
			g.err, g.pending, g.flushing = err, nil, nil
			g.mu.Unlock()
			g.Conn.Close()
			return err
		}
		g.mu.Unlock()
	}
}

// Close lets a running flush finish first, so the bytes of a Write that
// returned before Close are not cut off. Closing the socket unblocks a
// flush stuck on a peer that reads nothing, so it is closed at once
// anyway when the flush is still running after a short grace.
func (g *gatherConn) Close() error {
	g.mu.Lock()
	done := g.flushing
	g.mu.Unlock()
	if done != nil {
		t := time.NewTimer(closeGrace)
		select {
		case <-done:
		case <-t.C:
		}
		t.Stop()
	}
	return g.Conn.Close()
}
