package history

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// holdFirstBatch makes the writer stop in its first batch until the
// returned release is called, so that what callers enqueue meanwhile
// forms the next batch. sizes records each batch's size; fail, if set,
// decides the error of each batch after the first.
func holdFirstBatch(s *Store, fail func(batch, n int) error) (entered <-chan struct{}, release func(), sizes func() []int) {
	var mu sync.Mutex
	var got []int
	in, gate := make(chan struct{}), make(chan struct{})
	s.testBeforeCommit = func(n int) error {
		mu.Lock()
		got = append(got, n)
		b := len(got)
		mu.Unlock()
		if b == 1 {
			close(in)
			<-gate
			return nil
		}
		if fail != nil {
			return fail(b, n)
		}
		return nil
	}
	return in, func() { close(gate) }, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), got...)
	}
}

type addResult struct {
	id  int64
	dup bool
	err error
}

// TestGroupCommitConcurrent: many goroutines at once, some of them
// retransmissions (same Call-ID, tag, CSeq) or resends (same IMDN ID) of
// others. Each original gets its own ID, each duplicate its original's,
// and the batches did group (one held, the rest queued behind it).
func TestGroupCommitConcurrent(t *testing.T) {
	for _, memory := range []bool{false, true} {
		t.Run(fmt.Sprint("memory=", memory), func(t *testing.T) {
			s := concurrentStore(t, memory)
			entered, release, sizes := holdFirstBatch(s, nil)
			ctx := context.Background()
			first := make(chan addResult, 1)
			go func() {
				id, dup, err := s.AddIncoming(ctx, incoming(bob, "first", "c-first", 1))
				first <- addResult{id, dup, err}
			}()
			<-entered
			const n = 100
			msg := func(i int) Message {
				m := incoming(bob, fmt.Sprint("words ", i), fmt.Sprint("c-", i), 1)
				m.IMDNID = fmt.Sprint("imdn-", i)
				return m
			}
			res := make([]addResult, 3*n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					id, dup, err := s.AddIncoming(ctx, msg(i))
					res[i] = addResult{id, dup, err}
				})
				wg.Go(func() { // a retransmission of i
					id, dup, err := s.AddIncoming(ctx, msg(i))
					res[n+i] = addResult{id, dup, err}
				})
				wg.Go(func() { // a resend of i: new Call-ID, same IMDN ID
					m := msg(i)
					m.CallID = fmt.Sprint("resend-", i)
					id, dup, err := s.AddIncoming(ctx, m)
					res[2*n+i] = addResult{id, dup, err}
				})
			}
			time.Sleep(300 * time.Millisecond) // let them queue behind the held batch
			release()
			wg.Wait()
			if r := <-first; r.err != nil || r.dup {
				t.Fatalf("first: %+v", r)
			}
			ids := map[int64]int{}
			for i := range n {
				a, b, c := res[i], res[n+i], res[2*n+i]
				if a.err != nil || b.err != nil || c.err != nil {
					t.Fatalf("message %d: %v %v %v", i, a.err, b.err, c.err)
				}
				// Either copy may be the one stored; the other two are dups of it.
				stored := 0
				for _, r := range []addResult{a, b, c} {
					if !r.dup {
						stored++
					}
					if r.id != a.id {
						t.Errorf("message %d: ids %d %d %d, want one", i, a.id, b.id, c.id)
					}
				}
				if stored != 1 {
					t.Errorf("message %d stored %d times: %+v %+v %+v", i, stored, a, b, c)
				}
				ids[a.id]++
			}
			if len(ids) != n {
				t.Errorf("%d distinct ids for %d messages", len(ids), n)
			}
			if got := countMessages(t, s); got != n+1 {
				t.Errorf("%d rows, want %d", got, n+1)
			}
			sz := sizes()
			if len(sz) < 2 || len(sz) > 1+(3*n+maxBatch-1)/maxBatch+3 {
				t.Errorf("batch sizes %v: the queued calls did not share transactions", sz)
			}
		})
	}
}

// TestGroupCommitDuplicateInBatch: a retransmission in the same batch as
// its original is found in the batch's own uncommitted rows.
func TestGroupCommitDuplicateInBatch(t *testing.T) {
	s, _ := openTemp(t)
	var batch []*pendingIn
	for _, m := range []Message{incoming(bob, "a", "x", 1), incoming(bob, "b", "y", 1), incoming(bob, "a", "x", 1)} {
		m.Direction, m.State = In, StateReceived
		if err := prepare(&m); err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &pendingIn{m: m})
	}
	if err := s.insertBatch(batch); err != nil {
		t.Fatal(err)
	}
	a, b, c := batch[0], batch[1], batch[2]
	if a.dup || b.dup || !c.dup || c.id != a.id || a.id == b.id {
		t.Errorf("batch results: %+v %+v %+v", *a, *b, *c)
	}
	if n := countMessages(t, s); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
}

// TestGroupCommitIDsAreTheRows: each message of a batch gets the ID of
// its own row, with and without duplicates among them, also above a gap
// left by a deleted top row.
func TestGroupCommitIDsAreTheRows(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	gone, _, err := s.AddIncoming(ctx, incoming(bob, "deleted later", "gone", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, gone); err != nil {
		t.Fatal(err)
	}
	old, _, err := s.AddIncoming(ctx, incoming(bob, "stored before", "old", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, withDups := range []bool{false, true} {
		var batch []*pendingIn
		var wantDup []bool
		add := func(m Message, dup bool) {
			m.Direction, m.State = In, StateReceived
			if err := prepare(&m); err != nil {
				t.Fatal(err)
			}
			batch = append(batch, &pendingIn{m: m})
			wantDup = append(wantDup, dup)
		}
		for i := range 40 {
			add(incoming(bob, fmt.Sprintf("%v %d", withDups, i), fmt.Sprintf("%v-%d", withDups, i), 1), false)
			if withDups && i%10 == 3 {
				add(incoming(bob, "stored before", "old", 1), true)                                               // of a stored row
				add(incoming(bob, fmt.Sprintf("%v %d", withDups, i), fmt.Sprintf("%v-%d", withDups, i), 1), true) // of one in this batch
			}
		}
		if err := s.insertBatch(batch); err != nil {
			t.Fatal(err)
		}
		for i, p := range batch {
			if p.dup != wantDup[i] {
				t.Errorf("withDups=%v, #%d (%q): dup %v, want %v", withDups, i, p.m.Text, p.dup, wantDup[i])
			}
			got, err := s.Get(ctx, p.id)
			if err != nil {
				t.Fatalf("withDups=%v, #%d: id %d: %v", withDups, i, p.id, err)
			}
			if got.Text != p.m.Text || got.CallID != p.m.CallID {
				t.Errorf("withDups=%v, #%d (%q, %s) got id %d, whose row is %q, %s", withDups, i, p.m.Text, p.m.CallID,
					p.id, got.Text, got.CallID)
			}
			if p.m.CallID == "old" && p.id != old {
				t.Errorf("duplicate of the stored row got id %d, want %d", p.id, old)
			}
		}
	}
}

// TestGroupCommitErrorFailsBatch: when a batch's transaction fails, every
// caller in it gets the error and none of its messages is stored; the
// store goes on working afterwards.
func TestGroupCommitErrorFailsBatch(t *testing.T) {
	s, _ := openTemp(t)
	injected := errors.New("injected")
	var failed int
	entered, release, sizes := holdFirstBatch(s, func(b, n int) error {
		if b == 2 {
			failed = n
			return injected
		}
		return nil
	})
	ctx := context.Background()
	go s.AddIncoming(ctx, incoming(bob, "held", "held", 1))
	<-entered
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, _, errs[i] = s.AddIncoming(ctx, incoming(bob, "t", fmt.Sprint("c", i), 1)) })
	}
	time.Sleep(300 * time.Millisecond)
	release()
	wg.Wait()
	bad := 0
	for i, err := range errs {
		if err != nil {
			if !errors.Is(err, injected) {
				t.Errorf("caller %d: %v", i, err)
			}
			bad++
		}
	}
	if bad != failed || bad < 2 {
		t.Errorf("%d callers failed, the failed batch had %d (sizes %v)", bad, failed, sizes())
	}
	if rows := countMessages(t, s); rows != 1+n-bad {
		t.Errorf("%d rows, want %d: part of the failed batch was kept", rows, 1+n-bad)
	}
	// Nothing of the failed batch is there, and it can be stored again.
	for i, err := range errs {
		id, dup, err2 := s.AddIncoming(ctx, incoming(bob, "t", fmt.Sprint("c", i), 1))
		if err2 != nil || dup != (err == nil) || id == 0 {
			t.Errorf("re-adding %d (first error %v): id %d dup %v err %v", i, err, id, dup, err2)
		}
	}
}

func TestAddIncomingAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddIncoming(context.Background(), incoming(bob, "late", "late", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("AddIncoming after Close: %v, want ErrClosed", err)
	}
}
