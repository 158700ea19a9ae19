package sipclient

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// recordConn is the socket under a gatherConn: it keeps every Write it
// gets as one entry. With hold set, each Write first signals entered and
// waits for release (or for Close).
type recordConn struct {
	net.Conn // nil: only Write and Close are used
	mu       sync.Mutex
	writes   [][]byte
	closed   bool
	fail     error
	hold     bool
	entered  chan struct{}
	release  chan struct{}
	closing  chan struct{}
	once     sync.Once
}

func newRecordConn(hold bool) *recordConn {
	return &recordConn{hold: hold, entered: make(chan struct{}, 100), release: make(chan struct{}, 100),
		closing: make(chan struct{})}
}

func (r *recordConn) Write(p []byte) (int, error) {
	if r.hold {
		r.entered <- struct{}{}
		select {
		case <-r.release:
		case <-r.closing:
			return 0, net.ErrClosed
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recordConn) Close() error {
	r.once.Do(func() { close(r.closing) })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

func (r *recordConn) snapshot() ([][]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.writes...), r.closed
}

// writeHeld starts a Write of s, which becomes the flusher, and returns
// once its bytes are on rc (held there); the channel gets its result.
func writeHeld(g *gatherConn, rc *recordConn, s string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := g.Write([]byte(s))
		done <- err
	}()
	<-rc.entered
	return done
}

// While one write is on the socket, the Writes that come meanwhile return
// at once and leave together in the next one, in the order they came.
func TestGatherConnCombinesWritesDuringAWrite(t *testing.T) {
	rc := newRecordConn(true)
	g := newGatherConn(rc)
	first := writeHeld(g, rc, "SIP/2.0 200 OK #0\r\n") // the first answer is being written
	var want bytes.Buffer
	for i := 1; i <= 50; i++ {
		s := fmt.Sprintf("SIP/2.0 200 OK #%d\r\n", i)
		want.WriteString(s)
		if n, err := g.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write #%d during a flush = %d, %v", i, n, err)
		}
	}
	rc.release <- struct{}{} // the first write ends; the 50 go in one more
	<-rc.entered
	rc.release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	writes, _ := rc.snapshot()
	if len(writes) != 2 {
		t.Fatalf("socket got %d writes for 51 Writes, want 2", len(writes))
	}
	if string(writes[0]) != "SIP/2.0 200 OK #0\r\n" || !bytes.Equal(writes[1], want.Bytes()) {
		t.Errorf("socket got %q then %q", writes[0], writes[1])
	}
}

// Many writers at once: every byte arrives, each writer's in its order.
func TestGatherConnKeepsEveryWritersOrder(t *testing.T) {
	rc := newRecordConn(false)
	g := newGatherConn(rc)
	const writers, each = 8, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := g.Write(fmt.Appendf(nil, "%d:%d\n", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	writes, _ := rc.snapshot()
	next := make([]int, writers)
	for _, line := range bytes.Split(bytes.TrimSuffix(bytes.Join(writes, nil), []byte("\n")), []byte("\n")) {
		var w, i int
		if _, err := fmt.Sscanf(string(line), "%d:%d", &w, &i); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if i != next[w] {
			t.Fatalf("writer %d: got #%d, want #%d", w, i, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != each {
			t.Errorf("writer %d: %d of %d lines arrived", w, n, each)
		}
	}
	t.Logf("%d Writes took %d socket writes", writers*each, len(writes))
}

// A socket that fails closes the connection, and every later Write says so.
func TestGatherConnFailureClosesAndSticks(t *testing.T) {
	rc := newRecordConn(false)
	rc.fail = errors.New("broken pipe")
	g := newGatherConn(rc)
	if _, err := g.Write([]byte("a")); err == nil {
		t.Fatal("Write on a failing socket returned no error")
	}
	if _, closed := rc.snapshot(); !closed {
		t.Error("failing socket not closed: its reader would never learn")
	}
	if n, err := g.Write([]byte("b")); err == nil || n != 0 {
		t.Errorf("Write after the failure = %d, %v; want 0 and the error", n, err)
	}
}

// Close waits for a running flush only so long: a peer that reads nothing
// (the write blocks until the socket closes) does not hold it.
func TestGatherConnCloseDoesNotHangOnAStuckWrite(t *testing.T) {
	rc := newRecordConn(true)
	g := newGatherConn(rc)
	wrote := writeHeld(g, rc, "stuck")
	closed := make(chan struct{})
	go func() {
		g.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waiting for a write the peer never takes")
	}
	if err := <-wrote; err == nil {
		t.Error("the stuck Write returned no error after Close")
	}
}

// A peer that never reads holds the flush; what waits for it stays
// bounded: past maxGather, Write waits as a Write to a full socket does.
func TestGatherConnBoundsWhatWaits(t *testing.T) {
	rc := newRecordConn(true)
	g := newGatherConn(rc)
	writeHeld(g, rc, "first") // the flusher, held by the peer
	chunk := make([]byte, 64<<10)
	for range maxGather / len(chunk) {
		if _, err := g.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	over := make(chan error, 1)
	go func() {
		_, err := g.Write([]byte("over the bound"))
		over <- err
	}()
	select {
	case err := <-over:
		t.Fatalf("Write past %d waiting bytes returned (%v) while the peer reads nothing", maxGather, err)
	case <-time.After(200 * time.Millisecond):
	}
	rc.release <- struct{}{} // the peer reads: the first write ends, the gathered bytes go
	<-rc.entered
	rc.release <- struct{}{}
	<-rc.entered // the one that waited goes in a flush of its own
	rc.release <- struct{}{}
	if err := <-over; err != nil {
		t.Fatal(err)
	}
	writes, _ := rc.snapshot()
	if n := len(writes); n != 3 || string(writes[2]) != "over the bound" {
		t.Errorf("socket got %d writes, the last %.20q", n, writes[n-1])
	}
}
