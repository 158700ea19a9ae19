package history

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// watermark reads how far the search index goes and the newest row.
func watermark(t *testing.T, s *Store) (upto, top int64) {
	t.Helper()
	err := s.w.QueryRowContext(context.Background(),
		`SELECT (SELECT upto FROM fts_watermark), (SELECT coalesce(max(id), 0) FROM messages)`).Scan(&upto, &top)
	if err != nil {
		t.Fatal(err)
	}
	return upto, top
}

// integrity runs FTS5's own check: the index holds exactly the rows at or
// below the watermark, with their text.
func integrity(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.w.ExecContext(context.Background(),
		`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index: %v", err)
	}
}

// addRaw stores messages past the writer, as a crash before indexing
// leaves them: in the table, above the watermark.
func addRaw(t *testing.T, path string, msgs ...Message) {
	t.Helper()
	ctx := context.Background()
	db := rawFile(t, path, 0)
	defer db.Close()
	for _, m := range msgs {
		m.Direction, m.State = In, StateReceived
		if err := prepare(&m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, insertSQL, insertArgs(m)...); err != nil {
			t.Fatal(err)
		}
	}
}

func searchIDs(t *testing.T, s *Store, q string) []int64 {
	t.Helper()
	hits, err := s.Search(context.Background(), q, identity.ID{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range hits {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestSearchFindsBurst: messages stored in a burst are found by the
// search right after, though the writer had not indexed them yet.
func TestSearchFindsBurst(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const n = 2000
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				text := fmt.Sprintf("burst word%d", i)
				if _, _, err := s.AddIncoming(ctx, incoming(bob, text, fmt.Sprint("b-", i), 1)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := searchIDs(t, s, "word1999"); len(got) != 1 {
		t.Fatalf("search for the last message: %v", got)
	}
	if got := searchIDs(t, s, "burst"); len(got) != 50 {
		t.Fatalf("search for every message: %d hits, want the page of 50", len(got))
	}
	if upto, top := watermark(t, s); upto != top || top != n {
		t.Fatalf("after a search the index goes to %d of %d rows, want %d", upto, top, n)
	}
	integrity(t, s)
}

// TestIndexCatchesUpAfterCrash: rows a crash left unindexed are found,
// indexed by the writer on its own after open, and deleting one before
// that leaves the index sound.
func TestIndexCatchesUpAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddIncoming(context.Background(), incoming(bob, "indexed tea", "c-0", 1)); err != nil {
		t.Fatal(err)
	}
	searchIDs(t, s, "tea") // indexes row 1
	s.Close()
	addRaw(t, path, incoming(bob, "unindexed tea", "c-1", 1), incoming(bob, "doomed tea", "c-2", 1),
		incoming(bob, "late tea", "c-3", 1))

	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Delete(context.Background(), 3); err != nil { // above the watermark: the index never had it
		t.Fatal(err)
	}
	if got := searchIDs(t, s, "tea"); fmt.Sprint(got) != "[4 2 1]" {
		t.Fatalf("search after reopen: %v, want [4 2 1]", got)
	}
	integrity(t, s)
}

// TestIndexIdleWithoutSearch: the writer indexes a pause after a burst by
// itself, with no search asking.
func TestIndexIdleWithoutSearch(t *testing.T) {
	s, _ := openTemp(t)
	for i := range 10 {
		if _, _, err := s.AddIncoming(context.Background(), incoming(bob, "idle", fmt.Sprint("i-", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	// Polls for the writer's own indexing, bounded; not a timing goal.
	for i := 0; ; i++ {
		if upto, _ := watermark(t, s); upto == 10 {
			break
		}
		if i == 1000 {
			t.Fatal("the writer never indexed the burst")
		}
		time.Sleep(10 * time.Millisecond)
	}
	integrity(t, s)
}

// TestIndexReusedTopID: deleting the newest indexed message lets SQLite
// give its ID to the next one, below the watermark; the trigger indexes
// that one at once, so the index stays sound.
func TestIndexReusedTopID(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for i, text := range []string{"first scone", "second scone"} {
		if _, _, err := s.AddIncoming(ctx, incoming(bob, text, fmt.Sprint("r-", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	searchIDs(t, s, "scone")
	if err := s.Delete(ctx, 2); err != nil {
		t.Fatal(err)
	}
	id, _, err := s.AddIncoming(ctx, incoming(bob, "third scone", "r-2", 1))
	if err != nil || id != 2 {
		t.Fatalf("AddIncoming = %d, %v; want the reused ID 2", id, err)
	}
	if got := searchIDs(t, s, "third"); fmt.Sprint(got) != "[2]" {
		t.Fatalf("search for the reused row: %v", got)
	}
	integrity(t, s)
}
