package sipclient

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
)

// The tests here run the subscriptions role in a synctest bubble: time is
// fake (it moves only when every goroutine waits), so an hour of retries
// takes milliseconds and every instant is exact.

// deadPeer is a contact who never answers, as the transaction layer
// sees one: each SUBSCRIBE waits out the request timeout, then fails
// with no answer. Over a stream transport the connection is refused at
// once instead. It keeps when each SUBSCRIBE left, and when each datagram
// of its transaction (udpTransmissions), or each connection attempt, went
// on the wire.
type deadPeer struct {
	timeout time.Duration
	stream  bool

	mu    sync.Mutex
	sends map[string][]time.Time // contact's user -> when each SUBSCRIBE left
	wire  []time.Time
}

func newDeadPeer(timeout time.Duration, stream bool) *deadPeer {
	return &deadPeer{timeout: timeout, stream: stream, sends: map[string][]time.Time{}}
}

func (d *deadPeer) answer(req *sip.Request) *sip.Response {
	now := time.Now()
	d.mu.Lock()
	d.sends[req.Recipient.User] = append(d.sends[req.Recipient.User], now)
	if d.stream {
		d.wire = append(d.wire, now)
		d.mu.Unlock()
		return nil
	}
	for _, at := range udpTransmissions(d.timeout) {
		d.wire = append(d.wire, now.Add(at))
	}
	d.mu.Unlock()
	time.Sleep(d.timeout)
	return nil
}

func (d *deadPeer) attempts(user string) []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.sends[user]...)
}

// sent counts the SUBSCRIBEs sent so far.
func (d *deadPeer) sent() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, s := range d.sends {
		n += len(s)
	}
	return n
}

// udpTransmissions are the instants, from the first, at which a non-INVITE
// client transaction over UDP sends its request while no answer comes:
// Timer E starts at T1 and doubles up to T2 (RFC 3261 17.1.2.2), until the
// timeout. 11 for 32 s.
func udpTransmissions(timeout time.Duration) []time.Duration {
	var at []time.Duration
	for t, e := time.Duration(0), sip.T1; t < timeout; t, e = t+e, min(2*e, sip.T2) {
		at = append(at, t)
	}
	return at
}

// bubbleSubscriptions is a subscription list alone on a fake seam, for a
// synctest bubble; at cleanup the seam closes and the bubble's time runs
// on until every SUBSCRIBE under way has ended.
func bubbleSubscriptions(t *testing.T, answer func(*sip.Request) *sip.Response, opts ...Option) (*subscriptions, *fakeSeam) {
	f := &fakeSeam{answer: answer}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := newSubscriptions(ctx, f, &o, func(identity.ID, Decision) {})
	t.Cleanup(func() {
		f.close()
		cancel()
		time.Sleep(time.Hour)
		synctest.Wait()
	})
	return l, f
}

func deadContact(i int) (identity.ID, sip.Uri) {
	u := sip.Uri{Scheme: "sip", User: fmt.Sprintf("c%04d", i), Host: "peer.test"}
	return pid(u.String()), u
}

// failures are the failures reported for user, in order.
func failures(f *fakeSeam, user string) []SubscriptionChanged {
	var out []SubscriptionChanged
	for _, e := range f.emitted() {
		if s, ok := e.(SubscriptionChanged); ok && s.State == SubFailed && s.Peer == pid("sip:"+user+"@peer.test") {
			out = append(out, s)
		}
	}
	return out
}

// A contact who never answers, over an hour: each SUBSCRIBE waits out its
// 32 s, then the next goes after 30 s, 1, 2, 4, 8, 16 minutes, each
// within 20% either way, and the event says how long.
func TestRetryScheduleOfADeadContact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		dead := newDeadPeer(32*time.Second, false)
		l, f := bubbleSubscriptions(t, dead.answer)
		bob, uri := deadContact(0)
		l.add(bob, uri, eventPresence)
		time.Sleep(time.Hour)
		synctest.Wait()

		sends, failed := dead.attempts(uri.User), failures(f, uri.User)
		if len(sends) < 7 || len(sends) > 8 {
			t.Fatalf("%d SUBSCRIBEs in an hour, want 7 or 8: %v", len(sends), sends)
		}
		for i := 1; i < len(sends); i++ {
			wait := sends[i].Sub(sends[i-1]) - 32*time.Second
			step := defaultSubRetry.step(i - 1)
			if wait < step*4/5 || wait >= step*6/5 {
				t.Errorf("wait %d: %v, want %v ± 20%%", i, wait, step)
			}
			if failed[i-1].RetryIn != wait {
				t.Errorf("failure %d announced a retry in %v, waited %v", i, failed[i-1].RetryIn, wait)
			}
			t.Logf("SUBSCRIBE %d at %v (waited %v after the 32 s timeout)", i+1, sends[i].Sub(start), wait)
		}
	})
}

// A sign of life from a contact whose SUBSCRIBEs fail brings the next one
// within a second, and the wait after it starts again from 30 s. One
// while a SUBSCRIBE is under way sends nothing more.
func TestSignOfLifeResetsTheBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		dead := newDeadPeer(32*time.Second, false)
		l, f := bubbleSubscriptions(t, dead.answer)
		bob, uri := deadContact(0)
		l.add(bob, uri, eventPresence)
		for len(failures(f, uri.User)) < 5 { // then the next one waits 8 min
			time.Sleep(time.Second)
			synctest.Wait()
		}
		before := len(dead.attempts(uri.User))
		if before != 5 {
			t.Fatalf("%d SUBSCRIBEs after 5 failures, want 5", before)
		}

		heardAt := time.Now()
		l.heard(bob)
		time.Sleep(time.Second)
		synctest.Wait()
		sends := dead.attempts(uri.User)
		if len(sends) != before+1 || sends[before].Sub(heardAt) >= time.Second {
			t.Fatalf("after the sign of life at %v: SUBSCRIBEs at %v, want one more within a second", heardAt.Sub(start), sends[before-1:])
		}
		l.heard(bob) // under way: nothing more
		synctest.Wait()
		if n := len(dead.attempts(uri.User)); n != before+1 {
			t.Errorf("a sign of life during a SUBSCRIBE sent %d more", n-before-1)
		}

		time.Sleep(32 * time.Second)
		synctest.Wait()
		failed := failures(f, uri.User)
		if wait := failed[len(failed)-1].RetryIn; wait < 24*time.Second || wait >= 36*time.Second {
			t.Errorf("after the sign of life the wait is %v, want 30 s ± 20%%", wait)
		}
	})
}

// A NOTIFY from the contact is a sign of life too: the failures counted
// so far are forgotten.
func TestNotifyResetsTheBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, f := bubbleSubscriptions(t, accept200)
		bob, uri := deadContact(0)
		l.add(bob, uri, eventPresence)
		synctest.Wait()
		s := l.all()[0]
		s.mu.Lock()
		s.attempt = 5
		s.mu.Unlock()
		l.onNotify(notifyFor(t, f.requests()[0], 1, "active;expires=600", "", ""), nil)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.attempt != 0 {
			t.Errorf("failures after a NOTIFY: %d, want 0", s.attempt)
		}
	})
}

// A MESSAGE or a SUBSCRIBE from a peer reaches the seam as a sign of life
// before anything else is done with it.
func TestRequestsAreSignsOfLife(t *testing.T) {
	pg, pagerSeam := newFakePager(t, nil)
	pg.onMessage(incoming("m1", 1, "text/plain", "hi"), nil)
	p, presSeam := testPresentity(t, nil)
	sub := parse(t, string(rawRequest("SUBSCRIBE", "sip:alice@parley.test", []string{"Event: presence"}, ""))).(*sip.Request)
	p.onSubscribe(sub, nil)
	for name, fs := range map[string]*fakeSeam{"MESSAGE": pagerSeam, "SUBSCRIBE": presSeam} {
		fs.mu.Lock()
		if len(fs.heard) != 1 || fs.heard[0] != "sip:peer@peer.example" {
			t.Errorf("%s: signs of life %v, want one from sip:peer@peer.example", name, fs.heard)
		}
		fs.mu.Unlock()
	}
}

// Waits are drawn within their bounds, and spread over them.
func TestRetryJitterBounds(t *testing.T) {
	wantSteps := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute,
		8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for i, step := range wantSteps {
		if got := defaultSubRetry.step(i); got != step {
			t.Errorf("step %d: %v, want %v", i, got, step)
		}
		checkSpread(t, fmt.Sprintf("wait after %d failures", i+1), func() time.Duration { return defaultSubRetry.after(i) }, step*4/5, step*6/5)
	}
	if got := defaultSubRetry.step(1000); got != 30*time.Minute {
		t.Errorf("step after 1,000 failures: %v, want 30 min", got)
	}
	checkSpread(t, "refresh of 600 s", func() time.Duration { return refreshAfter(600) }, 420*time.Second, 540*time.Second)
	checkSpread(t, "wait after a sign of life", reviveAfter, 0, time.Second)
	if d := refreshAfter(0); d != 500*time.Millisecond {
		t.Errorf("refresh of 0 s after %v, want 500ms", d)
	}
}

// checkSpread draws 1,000 durations: all in [lo, hi), and some in the
// lowest and the highest eighth of it.
func checkSpread(t *testing.T, what string, draw func() time.Duration, lo, hi time.Duration) {
	t.Helper()
	eighth := (hi - lo) / 8
	low, high := false, false
	for range 1000 {
		d := draw()
		if d < lo || d >= hi {
			t.Fatalf("%s: %v, want within [%v, %v)", what, d, lo, hi)
		}
		low = low || d < lo+eighth
		high = high || d >= hi-eighth
	}
	if !low || !high {
		t.Errorf("%s: not spread over [%v, %v): lowest eighth %v, highest %v", what, lo, hi, low, high)
	}
}

// At most WithMaxPendingSubscribes new SUBSCRIBEs await an answer at once;
// the others wait, and go as answers come in, or as the unanswered give
// their slot up after 4 s.
func TestSubscribeSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dead := newDeadPeer(32*time.Second, false)
		l, _ := bubbleSubscriptions(t, dead.answer, WithMaxPendingSubscribes(3))
		for i := range 10 {
			id, u := deadContact(i)
			l.add(id, u, eventPresence)
		}
		start := time.Now()
		for _, want := range []int{3, 6, 9, 10} {
			synctest.Wait()
			if n := dead.sent(); n != want {
				t.Fatalf("at %v: %d SUBSCRIBEs sent, want %d", time.Since(start), n, want)
			}
			time.Sleep(slotHold)
		}
	})
}

// A slot comes back as soon as the answer does.
func TestSubscribeSlotBackOnAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		l, f := bubbleSubscriptions(t, func(req *sip.Request) *sip.Response {
			<-release
			return accept200(req)
		}, WithMaxPendingSubscribes(3))
		for i := range 10 {
			id, u := deadContact(i)
			l.add(id, u, eventPresence)
		}
		synctest.Wait()
		if n := len(f.requests()); n != 3 {
			t.Fatalf("%d SUBSCRIBEs sent, want 3", n)
		}
		release <- struct{}{}
		synctest.Wait()
		if n := len(f.requests()); n != 4 {
			t.Fatalf("after one answer: %d SUBSCRIBEs sent, want 4", n)
		}
		close(release)
		synctest.Wait()
		if n := len(f.requests()); n != 10 {
			t.Errorf("after every answer: %d SUBSCRIBEs sent, want 10", n)
		}
	})
}

// Without a bound, every contact's SUBSCRIBE goes at once.
func TestSubscribeSlotsUnbounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dead := newDeadPeer(32*time.Second, false)
		l, _ := bubbleSubscriptions(t, dead.answer, WithMaxPendingSubscribes(0))
		for i := range 100 {
			id, u := deadContact(i)
			l.add(id, u, eventPresence)
		}
		synctest.Wait()
		if n := dead.sent(); n != 100 {
			t.Errorf("%d SUBSCRIBEs sent, want 100", n)
		}
	})
}
