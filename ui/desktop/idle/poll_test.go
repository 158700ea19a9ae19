package idle

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeX is an X server's idle clock: input resets it.
type fakeX struct {
	mu      sync.Mutex
	last    time.Time
	saver   bool
	queries int
}

func (f *fakeX) query() (Reading, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	return Reading{Idle: time.Since(f.last), Saver: f.saver}, nil
}

func (f *fakeX) input() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = time.Now()
}

func (f *fakeX) setSaver(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saver = on
}

// TestPollIdleAndBack: no input for the threshold is idle; the first
// input after is active again within one away poll.
func TestPollIdleAndBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := &fakeX{last: time.Now()}
		var mu sync.Mutex
		var seen State
		last := func() State { mu.Lock(); defer mu.Unlock(); return seen }
		ctx, cancel := context.WithCancel(t.Context())
		go poll(ctx, 3*time.Second, x.query, func(s State) { mu.Lock(); seen = s; mu.Unlock() })
		time.Sleep(2900 * time.Millisecond)
		synctest.Wait()
		if last().Idle {
			t.Fatalf("idle before the threshold: %v", last())
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if !last().Idle {
			t.Fatalf("not idle after the threshold: %v", last())
		}
		x.input()
		time.Sleep(awayPoll(3 * time.Second))
		synctest.Wait()
		if last().Idle {
			t.Fatalf("still idle one away poll after input: %v", last())
		}
		x.setSaver(true)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if !last().Locked {
			t.Fatalf("screen saver on is not locked: %v", last())
		}
		cancel()
	})
}

// TestPollCostWhileActive counts the X round trips of an hour of a user
// typing every second with the default 5-minute threshold: one per
// threshold, since each answer says when the next one can matter.
func TestPollCostWhileActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := &fakeX{last: time.Now()}
		ctx, cancel := context.WithCancel(t.Context())
		go poll(ctx, 5*time.Minute, x.query, func(State) {})
		for range 3600 {
			time.Sleep(time.Second)
			x.input()
		}
		cancel()
		synctest.Wait()
		if x.queries > 3600/300+1 {
			t.Errorf("%d queries in an hour of activity; want at most %d", x.queries, 3600/300+1)
		}
		t.Logf("X queries in an hour: %d while active", x.queries)
	})
}

// TestPollCostWhileAway: an hour away costs one question per away poll.
func TestPollCostWhileAway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := &fakeX{last: time.Now()}
		ctx, cancel := context.WithCancel(t.Context())
		go poll(ctx, 5*time.Minute, x.query, func(State) {})
		time.Sleep(time.Hour)
		cancel()
		synctest.Wait()
		want := int(55*time.Minute/maxAwayPoll) + 2
		if x.queries > want {
			t.Errorf("%d queries in an hour away; want at most %d", x.queries, want)
		}
		t.Logf("X queries in an hour: %d while away", x.queries)
	})
}
