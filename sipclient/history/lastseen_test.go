package history

import (
	"strconv"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// Last seen times are on disk: a store opened again has them, and a late,
// older time never moves one back.
func TestLastSeenKept(t *testing.T) {
	ctx := t.Context()
	s, path := openTemp(t)
	bob, _ := identity.Parse("sip:bob@127.0.0.1:5090")
	carol, _ := identity.Parse("sip:carol@127.0.0.1:5091")
	at := time.Date(2026, 12, 7, 14, 5, 0, 0, time.UTC)
	if err := s.SaveLastSeen(ctx, map[identity.ID]time.Time{bob: at, carol: at.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLastSeen(ctx, map[identity.ID]time.Time{bob: at.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got, err := again.LastSeen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !got[bob].Equal(at) || !got[carol].Equal(at.Add(-time.Hour)) || len(got) != 2 {
		t.Errorf("after reopening: %v", got)
	}
}

// BenchmarkSaveLastSeen is the flush at Close with 100 contacts seen
// available: one transaction.
func BenchmarkSaveLastSeen(b *testing.B) {
	s, _ := openTemp(b)
	seen := map[identity.ID]time.Time{}
	for i := range 100 {
		id, _ := identity.Parse("sip:c" + strconv.Itoa(i) + "@127.0.0.1")
		seen[id] = time.Now()
	}
	for b.Loop() {
		if err := s.SaveLastSeen(b.Context(), seen); err != nil {
			b.Fatal(err)
		}
	}
}
