package history

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

func TestAddIncomingDedupe(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	first := incoming(`"Bob" <sip:Bob@EXAMPLE.test;transport=tcp>`, "hello", "abc@host", 7)
	id, dup, err := s.AddIncoming(ctx, first)
	if err != nil || dup {
		t.Fatalf("first AddIncoming = %d, %v, %v", id, dup, err)
	}
	retrans := first
	retrans.Text = "hello (retransmitted, maybe differently encoded)"
	for range 3 {
		got, dup, err := s.AddIncoming(ctx, retrans)
		if err != nil || !dup || got != id {
			t.Fatalf("retransmission = %d, %v, %v; want %d, true", got, dup, err, id)
		}
	}
	// Each identifier on its own makes a different message.
	variants := []func(*Message){
		func(m *Message) { m.CSeq = 8 },
		func(m *Message) { m.FromTag = "other" },
		func(m *Message) { m.CallID = "xyz@host" },
	}
	for i, change := range variants {
		m := first
		change(&m)
		if got, dup, err := s.AddIncoming(ctx, m); err != nil || dup || got == id {
			t.Errorf("variant %d = %d, %v, %v; want a new message", i, got, dup, err)
		}
	}
	if n := countMessages(t, s); n != 4 {
		t.Errorf("%d messages stored, want 4", n)
	}
}

// TestMessageToSelf: our own outgoing MESSAGE comes back with the same
// identifiers and must not be taken for a retransmission.
func TestMessageToSelf(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	out := Message{PeerURI: bob, Text: "note to self", CallID: "self@host", FromTag: "t1", CSeq: 1}
	if _, err := s.AddOutgoing(ctx, out); err != nil {
		t.Fatal(err)
	}
	if _, dup, err := s.AddIncoming(ctx, out); err != nil || dup {
		t.Fatalf("AddIncoming of own message: dup=%v, %v", dup, err)
	}
}

func TestAddIncomingInvalid(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, m := range []Message{
		{PeerURI: bob, Text: "no call-id"},
		{PeerURI: "not a uri", Text: "x", CallID: "c"},
		{Text: "no peer", CallID: "c"},
	} {
		if _, _, err := s.AddIncoming(ctx, m); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddIncoming(%+v) = %v, want ErrInvalid", m, err)
		}
	}
}

func TestGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	in := Message{PeerURI: "<sips:Bob@Example.Test:5061>", At: t0.Add(123456789),
		Text: "héllo\nwörld ✓", ContentType: "text/plain;charset=UTF-8",
		CallID: "c1@h", FromTag: "ft", CSeq: 4294967295}
	id, _, err := s.AddIncoming(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.Peer, want.Direction, want.State = id, pid("sip:Bob@example.test"), In, StateReceived
	if !got.At.Equal(want.At) {
		t.Errorf("At = %v, want %v", got.At, want.At)
	}
	got.At, want.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.Get(ctx, id+1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
}

func TestHistoryPaging(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var bobIDs []int64 // oldest first
	for i := range 25 {
		id, _, err := s.AddIncoming(ctx, incoming(bob, fmt.Sprint("bob ", i), fmt.Sprint("b", i), 1))
		if err != nil {
			t.Fatal(err)
		}
		bobIDs = append(bobIDs, id)
		if i%5 == 0 { // interleave another conversation
			if _, err := s.AddOutgoing(ctx, Message{PeerURI: alice, Text: "hi alice"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []int64
	before := int64(0)
	for pages := 0; ; pages++ {
		// Any spelling of bob's address finds the conversation.
		page, err := s.History(ctx, pid("<sip:bob@EXAMPLE.TEST:5060;transport=tls>"), before, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
		for _, m := range page {
			got = append(got, m.ID)
		}
		before = page[len(page)-1].ID
	}
	for i, id := range got {
		if want := bobIDs[len(bobIDs)-1-i]; id != want {
			t.Fatalf("History IDs %v, want newest-first %v", got, bobIDs)
		}
	}
	if len(got) != len(bobIDs) {
		t.Fatalf("History returned %d messages, want %d", len(got), len(bobIDs))
	}

	// HistoryAfter walks the other way, oldest first, from any message.
	var fwd []int64
	for after := bobIDs[4]; ; {
		page, err := s.HistoryAfter(ctx, pid(bob), after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			fwd = append(fwd, m.ID)
		}
		if len(page) < 7 {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(fwd, bobIDs[5:]) {
		t.Errorf("HistoryAfter IDs %v, want %v", fwd, bobIDs[5:])
	}
}

func TestConversations(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	add := func(peer string, at time.Time) int64 {
		m := incoming(peer, "x", fmt.Sprint(peer, at), 1)
		m.At = at
		id, _, err := s.AddIncoming(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	add(bob, t0)
	add(alice, t0.Add(time.Minute))
	add(`"Bob" <sips:bob@example.test>`, t0.Add(2*time.Minute))
	lastBob := add(bob, t0.Add(3*time.Minute))
	got, err := s.Conversations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Peer != pid(bob) || got[0].Count != 3 || got[0].LastID != lastBob ||
		!got[0].Last.Equal(t0.Add(3*time.Minute)) || got[1].Peer != pid(alice) || got[1].Count != 1 {
		t.Fatalf("Conversations = %+v", got)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	id, _, err := s.AddIncoming(ctx, incoming(bob, "delete this secret", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete = %v", err)
	}
	if hits, err := s.Search(ctx, "secret", identity.ID{}, 10); err != nil || len(hits) != 0 {
		t.Errorf("Search after Delete = %v, %v", hits, err)
	}
	if err := s.Delete(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
}

func countMessages(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM messages").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
