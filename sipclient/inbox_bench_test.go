package sipclient

import (
	"context"
	"path/filepath"
	"testing"

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
	floodMessages(b, c)
	h, err := store.History(context.Background(), pid("sip:load@127.0.0.1"), 0, b.N+1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N-len(h)), "unstored")
}
