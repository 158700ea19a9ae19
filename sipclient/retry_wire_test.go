package sipclient

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The retry schedule on the wire, in real time with its steps scaled
// down by WithRetry and WithRequestTimeout: what the fake-time tests
// (retry_test.go) and the traffic figures (retry_traffic_test.go) assume
// of the transaction layer, held to the real one.

// A UDP contact that reads and never answers gets each SUBSCRIBE with its
// retransmissions (T1, 2·T1... until the request timeout, RFC 3261
// 17.1.2.2) and nothing more, then a new one after the timeout and the
// wait, which grows.
func TestDeadUDPContactOnTheWire(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	sink := &datagramSink{byCall: map[string][]time.Time{}}
	go sink.read(pc)
	const timeout = 2 * time.Second
	sched := retrySchedule{first: time.Second, max: 4 * time.Second}
	c, _ := newTestClient(t, "watcher", "udp", WithRetry(sched.first, sched.max), WithRequestTimeout(timeout))
	if err := c.Subscribe(context.Background(), "sip:dead@"+pc.LocalAddr().String()); err != nil {
		t.Fatal(err)
	}
	calls := sink.await(t, 3, 30*time.Second) // two whole SUBSCRIBEs, and the start of a third
	c.Close()
	want := len(udpTransmissions(timeout))
	for i, call := range calls[:2] {
		sent := sink.times(call)
		if len(sent) > want {
			t.Errorf("SUBSCRIBE %d went %d times, want at most %d (at %v)", i+1, len(sent), want, sent)
		}
		first := func(call string) time.Time { return sink.times(call)[0] }
		gap := first(calls[i+1]).Sub(first(call))
		// Receipt times may lag a little: 200 ms of slack.
		if least := timeout + sched.step(i)*4/5 - 200*time.Millisecond; gap < least {
			t.Errorf("SUBSCRIBE %d came %v after the one before, want at least %v", i+2, gap, least)
		}
		t.Logf("SUBSCRIBE %d: %d datagrams (the model says %d), the next %v later", i+1, len(sent), want, gap)
	}
}

// datagramSink reads SUBSCRIBEs on a UDP socket and never answers.
type datagramSink struct {
	mu     sync.Mutex
	byCall map[string][]time.Time // Call-ID -> when each copy came
	order  []string
}

func (s *datagramSink) read(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		m := string(buf[:n])
		if !strings.HasPrefix(m, "SUBSCRIBE ") {
			continue
		}
		id := headerLine(m, "Call-ID")
		s.mu.Lock()
		if s.byCall[id] == nil {
			s.order = append(s.order, id)
		}
		s.byCall[id] = append(s.byCall[id], time.Now())
		s.mu.Unlock()
	}
}

// await waits until n SUBSCRIBEs (Call-IDs) came, or fails after limit.
func (s *datagramSink) await(t *testing.T, n int, limit time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s.mu.Lock()
		calls := append([]string(nil), s.order...)
		s.mu.Unlock()
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d SUBSCRIBEs in %v, want %d", len(calls), limit, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *datagramSink) times(call string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.byCall[call]...)
}

// A TCP contact whose port is closed costs one refused connection per
// SUBSCRIBE, and the SUBSCRIBEs come further and further apart. sipgo
// v1.7.3 dials once per request (TransportLayer.ClientRequestConnection:
// one CreateConnection, one DialContext, no retry), and Parley's do sends
// a request again only to answer a digest challenge; the kernel's count
// of failed connection attempts is logged beside the SUBSCRIBEs
// (system-wide, so only a witness).
func TestRefusedTCPContactOnTheWire(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sched := retrySchedule{first: 500 * time.Millisecond, max: 2 * time.Second}
	c, rec := newTestClient(t, "watcher", "tcp", WithRetry(sched.first, sched.max))
	refusedBefore := tcpAttemptFails()
	dead := "sip:dead@" + addr
	if err := c.Subscribe(context.Background(), dead+";transport=tcp"); err != nil {
		t.Fatal(err)
	}
	const want = 4
	deadline := time.Now().Add(30 * time.Second)
	for rec.count(isSub(dead, SubFailed)) < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	c.Close()
	var failed []SubscriptionChanged
	rec.mu.Lock()
	for _, e := range rec.events {
		if s, ok := e.(SubscriptionChanged); ok && isSub(dead, SubFailed)(e) {
			failed = append(failed, s)
		}
	}
	rec.mu.Unlock()
	if len(failed) < want {
		t.Fatalf("%d failures in 30 s, want %d", len(failed), want)
	}
	for i, f := range failed {
		if !strings.Contains(f.Reason, "refused") {
			t.Errorf("failure %d: %q, want a refused connection", i+1, f.Reason)
		}
		if step := sched.step(i); f.RetryIn < step*4/5 || f.RetryIn >= step*6/5 {
			t.Errorf("failure %d: retry in %v, want %v ± 20%%", i+1, f.RetryIn, step)
		}
	}
	t.Logf("%d SUBSCRIBEs refused; the kernel counted %d failed TCP connection attempts meanwhile (all processes)",
		len(failed), tcpAttemptFails()-refusedBefore)
}

// tcpAttemptFails is the kernel's count of failed TCP connection
// attempts (Linux), or 0.
func tcpAttemptFails() int {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "Tcp:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i, name := range names {
			if name == "AttemptFails" && i < len(fields) {
				n, _ := strconv.Atoi(fields[i])
				return n
			}
		}
	}
	return 0
}

// A MESSAGE from a contact whose SUBSCRIBEs failed brings the next one at
// once, long before its backoff would: the contact is watched again.
func TestMessageRevivesSubscription(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	a, ra := newTestClient(t, "watcher", "tcp", WithRetry(time.Minute, time.Hour))
	bob := "sip:bob@" + addr
	a.Subscribe(context.Background(), bob+";transport=tcp")
	ra.wait(t, "failed", isSub(bob, SubFailed))

	b, err := New(Config{ListenAddr: addr, User: "bob", Transport: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	go func() {
		for range b.Events() {
		}
	}()
	if _, err := b.DeliverMessage(context.Background(), a.AOR()+";transport=tcp", "back"); err != nil {
		t.Fatal(err)
	}
	ra.wait(t, "active again, well within the 1 min backoff", isSub(bob, SubActive))
}
