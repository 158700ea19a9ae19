package sipclient

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// BenchmarkContactMemory measures what a watched contact costs the SIP
// core once its subscription is active: live heap and goroutines of a
// client watching 1,000 contacts over TCP on one peer, less those of one
// watching 10, per contact (the desktop's 1,000-contact profile in
// scripts/measure-desktop.sh, without the UI).
// PARLEY_HEAPPROFILE=file writes the heap profile at 1,000.
func BenchmarkContactMemory(b *testing.B) {
	if os.Getenv("PARLEY_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	for i := 0; i < b.N; i++ {
		heap10, g10 := contactHeap(b, 10, "")
		heap1k, g1k := contactHeap(b, 1000, os.Getenv("PARLEY_HEAPPROFILE"))
		b.ReportMetric(float64(int64(heap1k)-int64(heap10))/990, "heapB/contact") // may come out below 0 when a GC frees more in one
		b.ReportMetric(float64(g1k-g10)/990, "goroutines/contact")
		b.ReportMetric(float64(heap1k)/(1<<20), "heapMiB@1000")
	}
}

// contactHeap returns the live heap and goroutines of a client watching
// n contacts, all active.
func contactHeap(b *testing.B, n int, profile string) (heap uint64, goroutines int) {
	b.StopTimer()
	defer b.StartTimer()
	peer, err := New(Config{ListenAddr: "127.0.0.1:0", User: "peer", Transport: "tcp"})
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	go func() {
		for range peer.Events() {
		}
	}()
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "me", Transport: "tcp"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	active := make(chan struct{}, n)
	go func() {
		for e := range c.Events() {
			if s, ok := e.(SubscriptionChanged); ok && s.State == SubActive {
				active <- struct{}{}
			}
		}
	}()
	addr := tcpAddr(peer)
	for i := range n {
		if err := c.Subscribe(context.Background(), fmt.Sprintf("sip:c%d@%s;transport=tcp", i, addr)); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.After(60 * time.Second)
	for range n {
		select {
		case <-active:
		case <-deadline:
			b.Fatalf("not all %d subscriptions active in 60 s", n)
		}
	}
	time.Sleep(time.Second) // the last transactions settle
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
	}
	return ms.HeapAlloc, runtime.NumGoroutine()
}
