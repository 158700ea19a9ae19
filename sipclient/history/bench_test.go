package history

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// Run with e.g.
//
//	go test -run='^$' -bench=. -benchtime=200x ./sipclient/history/
//
// The fixtures are built once per process, outside the timer.

// BenchmarkAddIncoming is one durable insert per op, as the SIP core does
// before each 200 OK: a commit with an fsync of the WAL (synchronous=FULL).
func BenchmarkAddIncoming(b *testing.B) { benchAddIncoming(b) }

// BenchmarkAddIncomingNormal is the same with synchronous=NORMAL, which
// does not fsync on commit; the difference is the price of durability.
func BenchmarkAddIncomingNormal(b *testing.B) { benchAddIncoming(b, withSynchronous("NORMAL")) }

func benchAddIncoming(b *testing.B, opts ...Option) {
	s, _ := openTemp(b, opts...)
	ctx := context.Background()
	g := newTextGen()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := s.AddIncoming(ctx, incoming(bob, g.sentence(), fmt.Sprint("call-", i), 1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

var searchCases = []struct{ name, query, peer string }{
	{"rare", rareWord, ""},                 // 10 hits per 100,000
	{"unique", uniqueWord, ""},             // 1 hit
	{"common", "the", ""},                  // in most messages; 20 newest
	{"prefix1", "t", ""},                   // no prefix index for 1 letter
	{"prefix3", "mee", ""},                 // served by the prefix index
	{"two-words", "meeting tomorrow", ""},  // AND of two common words
	{"hostile", `foo"bar OR (`, ""},        // quoted, no syntax error
	{"common-in-small-peer", "the", alice}, // filter walks bob's hits
	{"absent", "doesnotexistanywhere", ""}, // miss
}

func BenchmarkSearch100k(b *testing.B) { benchSearch(b, 100_000) }

// BenchmarkSearch1M builds a 1,000,000-message file first (about a minute).
func BenchmarkSearch1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-message database")
	}
	benchSearch(b, 1_000_000)
}

func benchSearch(b *testing.B, n int) {
	path, fill := bigFixture(b, n)
	b.Logf("%d messages filled in %v, file %.1f MB (%.1f MB per 100,000)", n, fill,
		float64(fileSize(b, path))/(1<<20), float64(fileSize(b, path))/(1<<20)/float64(n/100_000))
	s := openFixture(b, path)
	ctx := context.Background()
	for _, sc := range searchCases {
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			hits := 0
			for range b.N {
				got, err := s.Search(ctx, sc.query, pid(sc.peer), 20)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(got)
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
	b.Run("size", func(b *testing.B) {
		b.ReportMetric(float64(fileSize(b, path))/float64(n/100_000)/(1<<20), "MB/100k-msgs")
	})
}

// BenchmarkHistoryLastPage100k opens a conversation of 100,000 messages
// (its newest page), to compare with BenchmarkHistoryLastPage10; page10
// returns as many rows as that one does.
func BenchmarkHistoryLastPage100k(b *testing.B) {
	path, _ := bigFixture(b, 100_000)
	s := openFixture(b, path)
	b.Run("page50", func(b *testing.B) { benchHistory(b, s, bob, 0, 50) })
	b.Run("page10", func(b *testing.B) { benchHistory(b, s, bob, 0, 10) })
}

// BenchmarkHistoryOldestPage100k pages to the very beginning of it.
func BenchmarkHistoryOldestPage100k(b *testing.B) {
	path, _ := bigFixture(b, 100_000)
	benchHistory(b, openFixture(b, path), bob, 60, 50)
}

// BenchmarkHistoryLastPage10 opens a 10-message conversation in a
// database holding nothing else.
func BenchmarkHistoryLastPage10(b *testing.B) {
	s, _ := openTemp(b)
	for i := range 10 {
		if _, _, err := s.AddIncoming(context.Background(), incoming(bob, "short", fmt.Sprint(i), 1)); err != nil {
			b.Fatal(err)
		}
	}
	benchHistory(b, s, bob, 0, 50)
}

func benchHistory(b *testing.B, s *Store, peer string, before int64, limit int) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		page, err := s.History(ctx, pid(peer), before, limit)
		if err != nil || len(page) == 0 {
			b.Fatal(len(page), err)
		}
	}
}

func BenchmarkConversations100k(b *testing.B) {
	path, _ := bigFixture(b, 100_000)
	s := openFixture(b, path)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Conversations(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func openFixture(b *testing.B, path string) *Store {
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	b.ResetTimer()
	return s
}

// BenchmarkIndexBacklog is what the deferred search index costs: 20,000
// stored, unindexed messages indexed in one go, as the writer does once a
// burst pauses (or a search asks). Reports µs per message.
func BenchmarkIndexBacklog(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	g := newTextGen()
	for range b.N {
		b.StopTimer()
		s, err := OpenMemory(ctx)
		if err != nil {
			b.Fatal(err)
		}
		s.testNoIdleIndex.Store(true)
		if err := fillUnindexed(ctx, s, g, n); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.indexAll(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/msg")
}

// fillUnindexed stores n incoming messages in one transaction, above the
// watermark, as a burst leaves them.
func fillUnindexed(ctx context.Context, s *Store, g *textGen, n int) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := range n {
		m := incoming(bob, g.sentence(), fmt.Sprint("u-", i), 1)
		m.Direction, m.State = In, StateReceived
		if err := prepare(&m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertSQL, insertArgs(m)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkIncomingBurst is the store's part of a burst of incoming
// messages: 64 callers at once, as the SIP core's request goroutines,
// each AddIncoming waiting for its group commit, into the in-memory
// store (parley-cli's default). Indexing for search is left out: it
// follows the burst (fts.go).
func BenchmarkIncomingBurst(b *testing.B) {
	ctx := context.Background()
	s, err := OpenMemory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.testNoIdleIndex.Store(true)
	g := newTextGen()
	texts := make([]string, 1024)
	for i := range texts {
		texts[i] = g.sentence()
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32) // 64 callers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			m := incoming(bob, texts[i%int64(len(texts))], fmt.Sprint("call-", i), 1)
			if _, _, err := s.AddIncoming(ctx, m); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
