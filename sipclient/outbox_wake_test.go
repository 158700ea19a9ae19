package sipclient

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// failingFirst answers the first n requests 480, the rest 200.
func failingFirst(n int32) func(*sip.Request) *sip.Response {
	var seen atomic.Int32
	return func(req *sip.Request) *sip.Response {
		if seen.Add(1) <= n {
			return reply(req, 480, "Temporarily Unavailable")
		}
		return reply(req, 200, "OK")
	}
}

// TestOutboxWakesForQueuedMessage: a message queued (not sent by the
// caller) goes out at once, with no ticker to find it: the queue kicks
// the loop. The backoff is an hour, so no timer can be what woke it.
func TestOutboxWakesForQueuedMessage(t *testing.T) {
	p, ua := newFakePager(t, answering(200, "OK"), WithOutboxBackoff(time.Hour))
	awaitStartupPass(t, p)
	start := time.Now()
	id, err := p.queue(context.Background(), "sip:bob@example.test", "queued")
	if err != nil {
		t.Fatal(err)
	}
	ua.awaitEvent(t, "sent", isStatus(id, MsgSent))
	if d := time.Since(start); d > time.Second {
		t.Errorf("queued message sent after %v", d)
	}
}

// TestOutboxWakesForDueRetry: a failed message is sent again when its
// retry time comes (a short backoff), by the timer the loop sets to it;
// afterwards, with nothing left to send, the outbox reads nothing from
// the store.
func TestOutboxWakesForDueRetry(t *testing.T) {
	const backoff = 300 * time.Millisecond
	p, ua := newFakePager(t, failingFirst(1), WithOutboxBackoff(backoff))
	// Else the start-up pass, which sends every failed message at once,
	// can take this one's failure for a previous run's and retry it early;
	// the timer set for the retry then fires while the test counts reads.
	awaitStartupPass(t, p)
	id, err := p.send(context.Background(), "sip:bob@example.test", "again")
	if err != nil {
		t.Fatal(err)
	}
	failed := ua.awaitEvent(t, "failure", isStatus(id, MsgFailed)).(MessageStatus)
	ua.awaitEvent(t, "sent on retry", isStatus(id, MsgSent))
	if late := time.Since(failed.RetryAt); late > 2*time.Second {
		t.Errorf("retry went out %v after its time", late)
	}
	if got := len(ua.requests()); got != 2 {
		t.Errorf("%d MESSAGEs, want 2", got)
	}
	assertIdle(t, p)
}

// TestOutboxIdleRunsNoSQL: an outbox with nothing to send does not ask
// the store anything while idle (the ticker it replaced asked every
// second).
func TestOutboxIdleRunsNoSQL(t *testing.T) {
	p, _ := newFakePager(t, answering(200, "OK"))
	assertIdle(t, p)
}

// assertIdle waits for the outbox to settle, then checks that it reads
// nothing from the store over 1.5 s.
func assertIdle(t *testing.T, p *pager) {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	before := p.outboxReads.Load()
	time.Sleep(1500 * time.Millisecond)
	if n := p.outboxReads.Load() - before; n != 0 {
		t.Errorf("idle outbox read the store %d times in 1.5 s", n)
	}
}

// awaitStartupPass waits (bounded) until the outbox loop's start-up pass
// has read the due messages and the next retry time.
func awaitStartupPass(t *testing.T, p *pager) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); p.outboxReads.Load() < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the outbox's start-up pass made %d store reads in 5 s, want 2", p.outboxReads.Load())
		}
		time.Sleep(time.Millisecond)
	}
}
