package sipclient

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// What a contact who never answers costs the subscriptions (watcher.go):
// the retransmissions of each SUBSCRIBE (the transaction layer's, RFC
// 3261 17.1.2), then a wait that grows per contact, drawn at random so
// that contacts which failed together do not come back together, and a
// bound on the new SUBSCRIBEs awaiting an answer at once.

// retrySchedule is the wait before a new SUBSCRIBE after failures in a
// row: first, doubling per failure up to max, each wait drawn within
// retryJitter of that either way.
type retrySchedule struct{ first, max time.Duration }

// defaultSubRetry: a contact who does not answer is asked again after 30
// s, then 1, 2, 4... minutes, then every 30 minutes, until a sign of
// life from them (subscriptions.heard).
var defaultSubRetry = retrySchedule{first: 30 * time.Second, max: 30 * time.Minute}

// retryJitter is how far a retry wait strays from its step, either way.
const retryJitter = 0.2

// after is the wait after failures failures in a row (0: the first).
func (r retrySchedule) after(failures int) time.Duration {
	return spread(r.step(failures), retryJitter)
}

// step is the wait after failures failures before the jitter.
func (r retrySchedule) step(failures int) time.Duration {
	d := max(r.first, time.Millisecond)
	for i := 0; i < failures && d < r.max; i++ {
		d *= 2
	}
	return min(d, max(r.max, time.Millisecond))
}

// spread draws a duration uniformly within frac of d either way.
func spread(d time.Duration, frac float64) time.Duration {
	w := int64(float64(d) * frac)
	if w <= 0 {
		return d
	}
	return d - time.Duration(w) + time.Duration(rand.Int64N(2*w))
}

// refreshAfter is when to refresh a subscription granted sec seconds: at
// a point drawn between 70% and 90% of it, so that subscriptions granted
// together (at login) are not refreshed together, and a slow answer still
// lands before expiry.
func refreshAfter(sec int) time.Duration {
	d := time.Duration(sec) * time.Second * 4 / 5
	return max(spread(d, 0.125), 500*time.Millisecond)
}

// reviveAfter is how soon a subscription waiting out a backoff tries
// again after a sign of life from its peer: within a second, drawn, so
// that a burst of signs does not bring a burst of SUBSCRIBEs.
func reviveAfter() time.Duration { return spread(time.Second/2, 1) }

// slotHold is how long a new SUBSCRIBE holds its slot without an answer.
// A live peer answers well within it (T2, RFC 3261); one that has not is
// most likely gone, and the contacts queued behind it should not wait out
// its 32 s timeout.
const slotHold = 4 * time.Second

// defaultMaxPending bounds the new SUBSCRIBEs awaiting an answer at once.
const defaultMaxPending = 64

// slots bounds the new SUBSCRIBEs (those that open a dialog) awaiting
// their answer at once, so that a login with a thousand contacts does not
// send a thousand at once: the rest wait their turn, first come first
// served. A refresh in an established dialog takes no slot.
type slots struct {
	taken chan struct{} // one token per slot in use; nil: no limit
	hold  time.Duration
}

// newSlots makes n slots, each held hold at most; n <= 0 is no limit.
func newSlots(n int, hold time.Duration) *slots {
	s := &slots{hold: hold}
	if n > 0 {
		s.taken = make(chan struct{}, n)
	}
	return s
}

// take waits for a slot, or for ctx to end (false). The caller calls give
// once the answer is in; the slot comes back after hold anyway.
func (s *slots) take(ctx context.Context) (give func(), ok bool) {
	if s.taken == nil {
		return func() {}, true
	}
	select {
	case s.taken <- struct{}{}:
	case <-ctx.Done():
		return nil, false
	}
	var once sync.Once
	release := func() { once.Do(func() { <-s.taken }) }
	t := time.AfterFunc(s.hold, release)
	return func() {
		t.Stop()
		release()
	}, true
}
