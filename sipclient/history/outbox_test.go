package history

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestOutboxTransitions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := t0
	a := mustAddOutgoing(t, s, "a")
	b := mustAddOutgoing(t, s, "b")
	c := mustAddOutgoing(t, s, "c")
	wantDue(t, s, now, a, b, c)

	if err := s.SetCallID(ctx, a, "call-a@host", "tag-a", 7); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, a, 200); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkStored(ctx, b, 202); err != nil {
		t.Fatal(err)
	}
	retryAt := now.Add(30 * time.Second)
	if err := s.MarkFailed(ctx, c, 503, "Service Unavailable", retryAt); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, a, StateSent, 200, 1)
	wantState(t, s, b, StateStored, 202, 1)
	wantState(t, s, c, StateFailed, 503, 1)
	if m, _ := s.Get(ctx, a); m.CallID != "call-a@host" || m.FromTag != "tag-a" || m.CSeq != 7 {
		t.Errorf("SetCallID not stored: %+v", m)
	}
	if m, _ := s.Get(ctx, c); m.Reason != "Service Unavailable" || !m.NextAttempt.Equal(retryAt) {
		t.Errorf("failure not stored: %+v", m)
	}

	wantDue(t, s, now)             // c not due yet
	wantDue(t, s, retryAt.Add(-1)) // still not
	wantDue(t, s, retryAt, c)      // its time has come
	if err := s.MarkFailed(ctx, c, 408, "Request Timeout", time.Time{}); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, c, StateFailed, 408, 2)
	wantDue(t, s, now.Add(24*time.Hour)) // permanent: never due by itself

	if err := s.Retry(ctx, c); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, c, StatePending, 0, 0)
	wantDue(t, s, now, c)
	if err := s.Retry(ctx, a); !errors.Is(err, ErrState) {
		t.Errorf("Retry(sent) = %v, want ErrState", err)
	}
	if err := s.Retry(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Retry(missing) = %v, want ErrNotFound", err)
	}
	// A late 200 after a timeout still means delivered.
	if err := s.MarkFailed(ctx, c, 0, "timeout", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, c, 200); err != nil {
		t.Fatal(err)
	}
	wantState(t, s, c, StateSent, 200, 2)
	wantDue(t, s, now.Add(time.Hour))
}

func TestOutboxNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	in, _, err := s.AddIncoming(ctx, incoming(bob, "hi", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"MarkSent(incoming)":  s.MarkSent(ctx, in, 200),
		"MarkStored(missing)": s.MarkStored(ctx, 999, 202),
		"MarkFailed(missing)": s.MarkFailed(ctx, 999, 500, "x", time.Time{}),
		"SetCallID(incoming)": s.SetCallID(ctx, in, "c", "t", 1),
		"Retry(incoming)":     s.Retry(ctx, in),
	} {
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrState) {
			t.Errorf("%s = %v, want ErrNotFound or ErrState", name, err)
		}
	}
}

func TestDueOrderAndLimit(t *testing.T) {
	s, _ := openTemp(t)
	var ids []int64
	for range 7 {
		ids = append(ids, mustAddOutgoing(t, s, "x"))
	}
	// Fail the first one with a retry in the past: it keeps its place.
	if err := s.MarkFailed(context.Background(), ids[0], 500, "x", t0.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Due(context.Background(), t0, 5)
	if err != nil || len(got) != 5 {
		t.Fatalf("Due = %d messages, %v", len(got), err)
	}
	for i, m := range got {
		if m.ID != ids[i] {
			t.Fatalf("Due[%d] = %d, want %d", i, m.ID, ids[i])
		}
	}
}

func TestOutboxSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	id := mustAddOutgoing(t, s, "queued before quit")
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantDue(t, s, t0, id)
}

func mustAddOutgoing(t *testing.T, s *Store, text string) int64 {
	t.Helper()
	id, err := s.AddOutgoing(context.Background(), Message{PeerURI: bob, Text: text, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wantDue(t *testing.T, s *Store, now time.Time, ids ...int64) {
	t.Helper()
	due, err := s.Due(context.Background(), now, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range due {
		got = append(got, m.ID)
	}
	if len(got) != len(ids) {
		t.Fatalf("Due(%v) = %v, want %v", now, got, ids)
	}
	for i := range ids {
		if got[i] != ids[i] {
			t.Fatalf("Due(%v) = %v, want %v", now, got, ids)
		}
	}
	// Message.DueAt, which the sender checks a row with, agrees.
	for id := int64(1); id <= 16; id++ {
		m, err := s.Get(context.Background(), id)
		if err != nil {
			continue
		}
		if want := slices.Contains(got, id); m.DueAt(now) != want {
			t.Errorf("message %d (%s, next %v): DueAt = %v, Due lists it: %v", id, m.State, m.NextAttempt, !want, want)
		}
	}
}

func wantState(t *testing.T, s *Store, id int64, st State, code, attempts int) {
	t.Helper()
	m, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != st || m.Code != code || m.Attempts != attempts || m.Direction != Out {
		t.Errorf("message %d: state %s code %d attempts %d, want %s %d %d",
			id, m.State, m.Code, m.Attempts, st, code, attempts)
	}
}

// NextRetry is the earliest retry time after now of a failed message;
// pending, sent and no-retry failures do not count.
func TestNextRetry(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if next, err := s.NextRetry(ctx, t0); err != nil || !next.IsZero() {
		t.Fatalf("empty outbox: %v, %v", next, err)
	}
	mustAddOutgoing(t, s, "pending")
	late, soon, never := mustAddOutgoing(t, s, "late"), mustAddOutgoing(t, s, "soon"), mustAddOutgoing(t, s, "never")
	for id, at := range map[int64]time.Time{late: t0.Add(time.Hour), soon: t0.Add(time.Minute), never: {}} {
		if err := s.MarkFailed(ctx, id, 480, "later", at); err != nil {
			t.Fatal(err)
		}
	}
	if next, err := s.NextRetry(ctx, t0); err != nil || !next.Equal(t0.Add(time.Minute)) {
		t.Errorf("NextRetry = %v, %v; want in a minute", next, err)
	}
	if next, _ := s.NextRetry(ctx, t0.Add(time.Minute)); !next.Equal(t0.Add(time.Hour)) {
		t.Errorf("NextRetry after the first = %v; want in an hour", next)
	}
}
