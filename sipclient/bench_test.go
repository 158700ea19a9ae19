package sipclient

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// BenchmarkIncomingMessages writes b.N MESSAGEs over 4 loopback TCP
// connections into the core and counts them as events. Reports msgs/s and
// how many were lost (must be 0).
func BenchmarkIncomingMessages(b *testing.B) {
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "sink", Transport: "tcp"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	floodMessages(b, c)
}

// floodMessages pumps b.N MESSAGEs into c over 4 pipelined TCP
// connections, waits (bounded) until all are events, and reports msgs/s
// and how many were lost. The timer covers only the flood.
func floodMessages(b *testing.B, c *Client) {
	var got atomic.Int64
	all := make(chan struct{})
	total := int64(b.N)
	go func() {
		for e := range c.Events() {
			if _, ok := e.(MessageReceived); ok && got.Add(1) == total {
				close(all)
			}
		}
	}()
	const conns = 4
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range conns {
		n := b.N / conns
		if i == 0 {
			n += b.N % conns
		}
		wg.Go(func() { pumpMessages(b, tcpAddr(c), c.AOR(), i, n) })
	}
	wg.Wait()
	select {
	case <-all:
	case <-time.After(30 * time.Second):
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(got.Load())/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(total-got.Load()), "lost")
}

// pumpMessages sends n MESSAGEs on one connection without waiting between
// them and reads the n answers.
func pumpMessages(b *testing.B, addr, aor string, conn, n int) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Error(err)
		return
	}
	defer nc.Close()
	done := make(chan int)
	go func() { done <- countAnswers(nc, n) }()
	w := bufio.NewWriterSize(nc, 64<<10)
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("message %d on %d", i, conn)
		fmt.Fprintf(w, "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%d-%d\r\n"+
			"From: <sip:load@127.0.0.1>;tag=l%d-%d\r\nTo: <%s>\r\nCall-ID: load-%d-%d\r\nCSeq: 1 MESSAGE\r\n"+
			"Max-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
			aor, conn, i, conn, i, aor, conn, i, len(body), body)
	}
	w.Flush()
	select {
	case ok := <-done:
		if ok != n {
			b.Errorf("connection %d: %d of %d answered 200", conn, ok, n)
		}
	case <-time.After(30 * time.Second):
		b.Errorf("connection %d: answers did not arrive", conn)
	}
}

func countAnswers(nc net.Conn, n int) int {
	r := bufio.NewReaderSize(nc, 64<<10)
	ok := 0
	for seen := 0; seen < n; {
		nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, err := r.ReadString('\n')
		if err != nil {
			return ok
		}
		if strings.HasPrefix(line, "SIP/2.0 ") {
			seen++
			if strings.HasPrefix(line, "SIP/2.0 200") {
				ok++
			}
		}
	}
	return ok
}

// BenchmarkFanOut subscribes 1,000 watchers (raw SIP over one UDP socket,
// each its own dialog) and measures, per status change, the time until
// every watcher has the NOTIFY carrying the new status (ms/fanout), how
// many watchers had it only after T1, from a retransmission (late/fanout),
// and how many NOTIFYs came more than once, their 200 lost on its way back
// (resent/fanout).
//
// The 1,000 watchers share one socket, which real ones do not: with the
// default receive buffer it overflows, the NOTIFYs it drops come again
// after T1 (500 ms), and the figure is mostly that wait. With a 4 MiB
// buffer (as far as net.core.rmem_max allows) nothing is dropped and the
// figure is Parley's own. Both are reported.
func BenchmarkFanOut(b *testing.B) {
	for _, buf := range []struct {
		name  string
		bytes int // 0: the system's default
	}{{"peer-buffer=default", 0}, {"peer-buffer=4MiB", 4 << 20}} {
		b.Run(buf.name, func(b *testing.B) { benchFanOut(b, buf.bytes) })
	}
}

func benchFanOut(b *testing.B, readBuffer int) {
	const watchers = 1000
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "star", Transport: "udp"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	go func() {
		for range c.Events() {
		}
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	if readBuffer > 0 {
		if err := pc.(*net.UDPConn).SetReadBuffer(readBuffer); err != nil {
			b.Fatal(err)
		}
	}
	fan := newFanOutPeer(pc)
	go fan.serve()
	subscribeWatchers(b, c, fan, watchers)
	statuses := []Status{StatusBusy, StatusAway}
	var total time.Duration
	resent, late := 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := statuses[i%2]
		fan.reset(string(st))
		start := time.Now()
		c.SetPresence(context.Background(), Presence{Status: st})
		if n := fan.waitFor(string(st), watchers, 20*time.Second); n < watchers {
			b.Fatalf("%d of %d watchers notified", n, watchers)
		}
		total += time.Since(start)
		b.StopTimer()
		time.Sleep(time.Second) // the last NOTIFYs resent, if any, come in
		resent += fan.copiesOf(string(st)) - watchers
		late += fan.lateFor(string(st), start, sip.T1)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/fanout")
	b.ReportMetric(float64(late)/float64(b.N), "late/fanout")
	b.ReportMetric(float64(resent)/float64(b.N), "resent/fanout")
}

// subscribeWatchers subscribes n watchers from fan's socket to c, each in
// its own dialog, until each had its first NOTIFY.
func subscribeWatchers(b *testing.B, c *Client, fan *fanOutPeer, n int) {
	subs := make([]string, n)
	for i := range subs {
		subs[i] = fmt.Sprintf("SUBSCRIBE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-s%d\r\n"+
			"From: <sip:w%d@127.0.0.1>;tag=w%d\r\nTo: <%s>\r\nCall-ID: fan-%d\r\nCSeq: 1 SUBSCRIBE\r\n"+
			"Contact: <sip:w%d@%s>\r\nEvent: presence\r\nExpires: 3600\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			c.AOR(), fan.pc.LocalAddr(), i, i, i, c.AOR(), i, i, fan.pc.LocalAddr())
	}
	// Subscribe in rounds: a SUBSCRIBE lost in a full socket buffer is
	// sent again, as a real watcher's retransmission would.
	for round := 0; round < 5 && fan.distinct("open") < n; round++ {
		for i, sub := range subs {
			if !fan.has("open", fmt.Sprintf("fan-%d", i)) {
				fan.send(sub, c.listeners[0])
				if i%100 == 99 {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
		fan.waitFor("open", n, 3*time.Second)
	}
	if got := fan.distinct("open"); got < n {
		b.Fatalf("only %d of %d watchers got the first NOTIFY", got, n)
	}
}

// fanOutPeer answers NOTIFYs on one UDP socket and counts those whose body
// holds a marker.
type fanOutPeer struct {
	pc     net.PacketConn
	mu     sync.Mutex
	sets   map[string]map[string]time.Time // marker -> Call-IDs of watchers told so, and when first
	copies map[string]int                  // marker -> NOTIFYs that carried it, copies included
}

func newFanOutPeer(pc net.PacketConn) *fanOutPeer {
	return &fanOutPeer{pc: pc, sets: map[string]map[string]time.Time{}, copies: map[string]int{}}
}

func (f *fanOutPeer) send(msg string, to net.Addr) {
	f.pc.WriteTo([]byte(msg), to)
}

func (f *fanOutPeer) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := f.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		msg := buf[:n]
		if !bytes.HasPrefix(msg, []byte("NOTIFY ")) {
			continue
		}
		f.pc.WriteTo(okFor(msg), from)
		f.count(msg)
	}
}

func (f *fanOutPeer) count(msg []byte) {
	m := string(msg)
	id := headerLine(m, "Call-ID")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []string{"open", "busy", "away"} {
		if strings.Contains(m, "<basic>"+k+"</basic>") || strings.Contains(m, "<rpid:"+k+"/>") {
			if f.sets[k] == nil {
				f.sets[k] = map[string]time.Time{}
			}
			if _, ok := f.sets[k][id]; !ok {
				f.sets[k][id] = time.Now()
			}
			f.copies[k]++
		}
	}
}

func (f *fanOutPeer) has(k, callID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.sets[k][callID]
	return ok
}

// lateFor counts the watchers first told k after since+d.
func (f *fanOutPeer) lateFor(k string, since time.Time, d time.Duration) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, at := range f.sets[k] {
		if at.Sub(since) > d {
			n++
		}
	}
	return n
}

func (f *fanOutPeer) distinct(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sets[k])
}

func (f *fanOutPeer) reset(k string) {
	f.mu.Lock()
	delete(f.sets, k)
	delete(f.copies, k)
	f.mu.Unlock()
}

// copiesOf counts the NOTIFYs that carried k since its reset.
func (f *fanOutPeer) copiesOf(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.copies[k]
}

// waitFor waits until n distinct watchers were told k, or the limit.
func (f *fanOutPeer) waitFor(k string, n int, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		got := f.distinct(k)
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(time.Millisecond)
	}
}

// okFor builds a 200 for a request by copying its dialog headers.
func okFor(req []byte) []byte {
	m := string(req)
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq"} {
		b.WriteString(h + ": " + headerLine(m, h) + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String())
}

func headerLine(m, name string) string {
	i := strings.Index(m, "\r\n"+name+": ")
	if i < 0 {
		return ""
	}
	rest := m[i+len(name)+4:]
	return rest[:strings.Index(rest, "\r\n")]
}
