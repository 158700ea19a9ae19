package sipclient

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/history"
)

// BenchmarkDurableIncoming is BenchmarkIncomingMessages with a history
// file (WAL, synchronous=FULL) behind the core: every MESSAGE is on disk
// before its 200. Reports msgs/s end to end (4 loopback TCP connections,
// pipelined) and how many were lost (must be 0) or not in the file.
func BenchmarkDurableIncoming(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history.db")
	store, err := history.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "sink", Transport: "tcp"}, WithStore(store))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
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
	h, err := store.History(context.Background(), "sip:load@127.0.0.1", 0, b.N+1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(got.Load())/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(total-got.Load()), "lost")
	b.ReportMetric(float64(total-int64(len(h))), "unstored")
}
