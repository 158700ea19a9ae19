package sipclient

import (
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A pong glued to the next SIP message in one write (a NOTIFY burst
// behind a pong reads as one chunk) keeps the flow: over several pings,
// the client registers once and never takes the flow for failed.
func TestGluedPongKeepsFlow(t *testing.T) {
	var pongs atomic.Int32
	addr, regs := outboundRegistrar(t, func(conn net.Conn) error {
		n := pongs.Add(1)
		opts := fmt.Sprintf("OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"+
			"Via: SIP/2.0/TCP %s;branch=z9hG4bK-glued-%d\r\n"+
			"From: <sip:registrar@127.0.0.1>;tag=r%d\r\nTo: <sip:alice@127.0.0.1>\r\n"+
			"Call-ID: glued-%d\r\nCSeq: %d OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			conn.LocalAddr(), n, n, n, n)
		_, err := conn.Write([]byte("\r\n" + opts)) // one write: pong and message
		return err
	})
	_, rec := flowClient(t, addr, NewInstanceID())
	for i := 0; pongs.Load() < 8; i++ { // bounded: pings go about once a second
		if i == 400 {
			t.Fatalf("only %d pongs sent", pongs.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := rec.count(isReg(RegRegistering)); n != 1 || len(regs) != 1 {
		t.Fatalf("%d registering events, %d REGISTERs: the flow was taken for failed\n%s", n, len(regs), rec.dump())
	}
}

// pongConn is a connection whose peer answers the ping before Write
// returns: the pong is read while the ping is still being written.
type pongConn struct {
	fakeConn
	seam *fakeSeam
}

func (c pongConn) Write(b []byte) (int, error) {
	c.seam.mu.Lock()
	defer c.seam.mu.Unlock()
	c.seam.pong = map[string]time.Time{c.local.String(): time.Now()}
	return len(b), nil
}

func pongBinding(t *testing.T, seam *fakeSeam) *binding {
	t.Helper()
	s, err := parseServer(ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:127.0.0.1:5070;transport=tcp"})
	if err != nil {
		t.Fatal(err)
	}
	return newBinding(seam, s, "", sip.Addr{IP: net.IPv4(127, 0, 0, 1), Port: 5062},
		&options{log: slog.New(slog.DiscardHandler), reqTimeout: time.Second})
}

// A pong read before the ping's Write returned answers that ping.
func TestPongBeforeWriteReturnsCounts(t *testing.T) {
	seam := &fakeSeam{}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	seam.conn = pongConn{fakeConn{local}, seam}
	b := pongBinding(t, seam)
	f := &flow{outbound: true, conn: local.String(), timer: time.Second}
	if !b.streamAlive(true, f) || b.pingAt.IsZero() {
		t.Fatalf("ping not sent or not awaited (pingAt %v)", b.pingAt)
	}
	if !b.streamAlive(false, f) || !b.pingAt.IsZero() {
		t.Fatalf("the pong read during the write did not answer the ping (pingAt %v, pong %v)", b.pingAt, seam.lastPong(local.String()))
	}
}

// A ping waits 10 s for its pong (RFC 5626 4.4.1), not less, unless the
// registrar's Flow-Timer is shorter; only a read after the ping counts.
func TestPongWait(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	for _, tc := range []struct {
		name  string
		timer time.Duration // the flow's Flow-Timer
		sent  time.Duration // how long ago the ping went
		read  time.Duration // how long ago bytes came in; 0: never
		alive bool
	}{
		{"7 s, no Flow-Timer", 0, 7 * time.Second, 0, true},
		{"11 s, no Flow-Timer", 0, 11 * time.Second, 0, false},
		{"7 s, Flow-Timer 30", 30 * time.Second, 7 * time.Second, 0, true},
		{"11 s, Flow-Timer 30", 30 * time.Second, 11 * time.Second, 0, false},
		{"3 s, Flow-Timer 2", 2 * time.Second, 3 * time.Second, 0, false},
		{"11 s, read before the ping", 0, 11 * time.Second, 12 * time.Second, false},
		{"11 s, read after the ping", 0, 11 * time.Second, 10 * time.Second, true},
	} {
		seam := &fakeSeam{conn: fakeConn{local}}
		now := time.Now()
		if tc.read != 0 {
			seam.pong = map[string]time.Time{local.String(): now.Add(-tc.read)}
		}
		b := pongBinding(t, seam)
		b.pingAt = now.Add(-tc.sent)
		f := &flow{outbound: true, conn: local.String(), timer: tc.timer}
		if got := b.streamAlive(false, f); got != tc.alive {
			t.Errorf("%s: alive %v", tc.name, got)
		}
	}
}

// Reads are told apart by connection: bytes on another connection are
// no pong on the flow's.
func TestStreamReadsByConnection(t *testing.T) {
	var r streamReads
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	other := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40001}
	now := time.Now()
	r.note(other, 2, now)
	r.note(a, 0, now) // an empty read is nothing
	if !r.at(a.String()).IsZero() || !r.at(other.String()).Equal(now) {
		t.Fatalf("reads %v", r.last)
	}
	for i := range 2 * streamReadsKept { // old connections are forgotten, bounded
		r.note(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41000 + i}, 1, now.Add(time.Duration(i)*time.Minute))
	}
	if len(r.last) > streamReadsKept+1 {
		t.Errorf("%d connections remembered", len(r.last))
	}
	if !r.at(other.String()).IsZero() {
		t.Errorf("a stale connection kept: %v", r.at(other.String()))
	}
}
