package sipclient

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// silentRegistrar is a TCP registrar that requires outbound with a short
// Flow-Timer and never answers a CRLF ping: a flow that died silently
// (a NAT or a middlebox ate it) while the socket looks open. Each
// REGISTER it answers is counted on regs.
func silentRegistrar(t *testing.T, instance string) (addr string, regs chan struct{}) {
	t.Helper()
	return outboundRegistrar(t, nil)
}

// outboundRegistrar is silentRegistrar that calls onPing with the
// connection at each CRLF keep-alive line it reads (nil: none).
func outboundRegistrar(t *testing.T, onPing func(net.Conn) error) (addr string, regs chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	regs = make(chan struct{}, 16)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go serveOutbound(conn, regs, onPing)
		}
	}()
	return l.Addr().String(), regs
}

func serveOutbound(conn net.Conn, regs chan struct{}, onPing func(net.Conn) error) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	var ping func() error // nil: a keep-alive ping is swallowed
	if onPing != nil {
		ping = func() error { return onPing(conn) }
	}
	for {
		// Whole messages, bodies too: a PUBLISH read as headers only once
		// hid the REGISTER after it.
		raw, err := readSIP(r, ping)
		if err != nil {
			return
		}
		msg, err := newParser().ParseSIP([]byte(raw))
		req, ok := msg.(*sip.Request)
		if err != nil || !ok || req.Method != sip.REGISTER {
			continue // unanswered: the registrar is silent to the rest
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if ct := req.Contact(); ct != nil {
			res.AppendHeader(ct.Clone())
		}
		res.AppendHeader(sip.NewHeader("Require", "outbound"))
		res.AppendHeader(sip.NewHeader("Flow-Timer", "1"))
		if _, err := conn.Write([]byte(res.String())); err != nil {
			return
		}
		regs <- struct{}{}
	}
}

// Over TCP with Outbound, a CRLF ping that gets no pong in time means the
// flow failed though the connection looks open: the client registers
// again at once (RFC 5626 4.4.1), long before the refresh.
func TestMissingPongReregisters(t *testing.T) {
	id := NewInstanceID()
	addr, regs := silentRegistrar(t, id)
	c, rec := flowClient(t, addr, id)
	if f := c.reg.flow.Load(); f == nil || !f.outbound || f.interval > time.Second {
		t.Fatalf("flow %+v", f)
	}
	_, lost := rec.waitAfter(t, 0, "flow failure noticed", isFlowLost)
	for i := range 2 {
		select {
		case <-regs:
		case <-time.After(10 * time.Second): // a safety net, not a timing assertion
			t.Fatalf("REGISTER %d not seen; events: %s", i+1, rec.dump())
		}
	}
	// At once means the first REGISTER after the loss succeeds: one once
	// went into the closed flow, which sipgo had not yet forgotten, failed,
	// and the client waited out a backoff.
	_, again := rec.waitAfter(t, lost, "registered again", isReg(RegRegistered))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events[lost:again] {
		if r, ok := e.(RegistrationChanged); ok && r.State == RegFailed {
			t.Errorf("a REGISTER failed between the flow loss and the new registration: %+v", r)
		}
	}
}

// The UDP flow keep-alive: a STUN answer showing the address we
// registered from keeps the flow; another address (the NAT moved us) or
// no answer fails it.
func TestFlowAliveUDP(t *testing.T) {
	s, err := parseServer(ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:127.0.0.1:5070"})
	if err != nil {
		t.Fatal(err)
	}
	f := &flow{outbound: true, seen: "192.0.2.7:40000"}
	for _, tc := range []struct {
		name   string
		answer func() (*net.UDPAddr, error)
		alive  bool
	}{
		{"same mapping", func() (*net.UDPAddr, error) { return &net.UDPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 40000}, nil }, true},
		{"moved", func() (*net.UDPAddr, error) { return &net.UDPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 40001}, nil }, false},
		{"no answer", nil, false},
	} {
		seam := &fakeSeam{stun: tc.answer}
		b := newBinding(seam, s, "", sip.Addr{IP: net.IPv4(127, 0, 0, 1), Port: 5062}, &options{log: slog.New(slog.DiscardHandler), reqTimeout: time.Second})
		if got := b.flowAliveUDP(context.Background(), f); got != tc.alive {
			t.Errorf("%s: alive %v", tc.name, got)
		}
	}
}

// fakeConn is an open stream connection from a local address.
type fakeConn struct{ local net.Addr }

func (c fakeConn) LocalAddr() net.Addr        { return c.local }
func (c fakeConn) WriteMsg(sip.Message) error { return nil }
func (c fakeConn) Ref(int) int                { return 1 }
func (c fakeConn) TryClose() (int, error)     { return 1, nil }
func (c fakeConn) Close() error               { return nil }

// A registration over TCP is alive while the connection it went over is
// open: not when none is open, and not when the open one is another (a
// request of ours opened it after the flow's closed under us).
func TestStreamAliveFollowsTheFlowConnection(t *testing.T) {
	s, err := parseServer(ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:127.0.0.1:5070;transport=tcp"})
	if err != nil {
		t.Fatal(err)
	}
	f := &flow{outbound: true, conn: "127.0.0.1:40000"}
	for _, tc := range []struct {
		name  string
		conn  sip.Connection
		alive bool
	}{
		{"the flow's connection", fakeConn{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}}, true},
		{"another connection", fakeConn{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40001}}, false},
		{"none", nil, false},
	} {
		seam := &fakeSeam{conn: tc.conn}
		b := newBinding(seam, s, "", sip.Addr{IP: net.IPv4(127, 0, 0, 1), Port: 5062}, &options{log: slog.New(slog.DiscardHandler), reqTimeout: time.Second})
		if got := b.streamAlive(false, f); got != tc.alive {
			t.Errorf("%s: alive %v", tc.name, got)
		}
	}
}

// flowClient is alice registered over TCP to the test registrar at addr
// with the instance ID id (Outbound), keeping her flow alive.
func flowClient(t *testing.T, addr, id string) (*Client, *recorder) {
	t.Helper()
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + addr + ";transport=tcp", Password: "x",
		Expires: 300, KeepAlive: 30 * time.Second, InstanceID: id}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rec := record(c)
	rec.wait(t, "registered", isReg(RegRegistered))
	return c, rec
}
