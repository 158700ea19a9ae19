package history

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// TestMigrateToVersion4 upgrades a version-3 file: the rows keep their
// IDs and states, the search index stays consistent with the rebuilt
// table (FTS5's integrity check compares them), the triggers work again,
// and the new states are admitted.
func TestMigrateToVersion4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	db := rawFile(t, path, 3)
	for i, text := range []string{"tea at four", "scones with cream"} {
		m := incoming(bob, text, "v3-"+text, uint32(i+1))
		m.Direction, m.State = Out, StateSent
		insertOld(t, db, m)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index after the rebuild: %v", err)
	}
	hits, err := s.Search(ctx, "scones", identity.ID{}, 10)
	if err != nil || len(hits) != 1 || hits[0].ID != 2 || hits[0].State != StateSent {
		t.Fatalf("Search after upgrade = %+v, %v", hits, err)
	}
	if ok, err := s.MarkDelivered(ctx, 1); !ok || err != nil {
		t.Fatalf("MarkDelivered = %v, %v", ok, err)
	}
	if err := s.Delete(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.Search(ctx, "scones", identity.ID{}, 10); len(hits) != 0 {
		t.Fatalf("deleted message still found: %+v", hits)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index after a delete: %v", err)
	}
}

func TestReceiptsMoveOn(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	m := Message{PeerURI: "sip:bob@example.com", Text: "hi", CallID: "call-1", IMDNID: "imdn-1", CPIM: true}
	id, err := s.AddOutgoing(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	peer, _ := identity.Parse("sip:bob@example.com")
	for _, ref := range []string{"imdn-1", "call-1"} {
		if got, err := s.FindOutgoing(ctx, peer, ref); err != nil || got.ID != id || got.IMDNID != "imdn-1" || !got.CPIM {
			t.Fatalf("FindOutgoing(%s) = %+v, %v", ref, got, err)
		}
	}
	other, _ := identity.Parse("sip:mallory@example.com")
	if _, err := s.FindOutgoing(ctx, other, "imdn-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another peer's receipt finds %v", err)
	}
	// Delivered before the 200 is recorded: the 200 does not take it back.
	if ok, _ := s.MarkDelivered(ctx, id); !ok {
		t.Fatal("not delivered")
	}
	if st, err := s.Mark(ctx, id, StateSent, 200, "", time.Time{}); st != StateDelivered || err != nil {
		t.Fatalf("Mark sent after delivered = %s, %v", st, err)
	}
	if ok, _ := s.MarkRefused(ctx, id, 488, "no"); ok {
		t.Fatal("a negative receipt undid a delivery")
	}
	at := time.Unix(1700000000, 0)
	if ok, _ := s.MarkRead(ctx, id, at); !ok {
		t.Fatal("not read")
	}
	if ok, _ := s.MarkDelivered(ctx, id); ok {
		t.Fatal("delivered after read")
	}
	got, _ := s.Get(ctx, id)
	if got.State != StateRead || !got.ReadAt.Equal(at) {
		t.Fatalf("after read: %+v", got)
	}
}

func TestFailedThenDelivered(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	id, _ := s.AddOutgoing(ctx, Message{PeerURI: "sip:bob@example.com", Text: "hi", CallID: "c"})
	s.MarkFailed(ctx, id, 408, "no answer", time.Now().Add(time.Minute))
	if ok, _ := s.MarkDelivered(ctx, id); !ok {
		t.Fatal("a receipt did not rescue a failed message")
	}
	if due, _ := s.Due(ctx, time.Now().Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("a delivered message is still due: %+v", due)
	}
}

func TestIncomingIMDNDedupeAndDisplay(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	m := Message{PeerURI: "sip:bob@example.com", Text: "hi", CallID: "c1", FromTag: "t", CSeq: 1,
		IMDNID: "m-1", CPIM: true, Notify: NotifyDelivery | NotifyDisplay, SentAt: time.Unix(1700000000, 0)}
	id, dup, err := s.AddIncoming(ctx, m)
	if err != nil || dup {
		t.Fatal(dup, err)
	}
	m.CallID = "c2" // the same message resent with a new Call-ID
	if id2, dup, err := s.AddIncoming(ctx, m); err != nil || !dup || id2 != id {
		t.Fatalf("resend: id %d dup %v err %v", id2, dup, err)
	}
	peer, _ := identity.Parse("sip:bob@example.com")
	un, err := s.Unread(ctx, peer, 10)
	if err != nil || len(un) != 1 || un[0].Notify != NotifyDelivery|NotifyDisplay || !un[0].SentAt.Equal(m.SentAt) {
		t.Fatalf("Unread = %+v, %v", un, err)
	}
	if ok, _ := s.ClaimDisplay(ctx, id); !ok {
		t.Fatal("claim")
	}
	if ok, _ := s.ClaimDisplay(ctx, id); ok {
		t.Fatal("claimed twice")
	}
	if un, _ := s.Unread(ctx, peer, 10); len(un) != 0 {
		t.Fatalf("still unread: %+v", un)
	}
}

func TestPeerCapsPersist(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	peer, _ := identity.Parse("sip:bob@example.com")
	if c, err := s.PeerCaps(ctx, peer); err != nil || c != (Caps{}) {
		t.Fatal(c, err)
	}
	if err := s.SetPeerCaps(ctx, peer, Caps{Typing: SupportNo, IMDN: SupportYes}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, err := s.PeerCaps(ctx, peer); err != nil || c != (Caps{Typing: SupportNo, IMDN: SupportYes}) {
		t.Fatal(c, err)
	}
}

func openMem(t *testing.T) *Store {
	t.Helper()
	s, err := OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
