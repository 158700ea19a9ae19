package sipclient

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
)

// TestDeadContactTraffic is the figure of issue 14: what 1,000 contacts
// who never answer cost on the wire in the first minute and the first 10
// minutes, over UDP (datagrams: each SUBSCRIBE and its retransmissions)
// and TCP (connection attempts, each refused). The subscriptions role runs
// as it is, in fake time; the wire is deadPeer's model of the transaction
// layer, which TestDeadUDPContactOnTheWire and
// TestRefusedTCPContactOnTheWire hold to the real one. Print the table:
//
//	go test -run TestDeadContactTraffic -v ./sipclient/
//
// The policies before this one run too, for comparison, with -v (the
// first costs seconds: 300,000 SUBSCRIBEs).
func TestDeadContactTraffic(t *testing.T) {
	policies := []struct {
		name  string
		opts  []Option
		limit int // per contact and transport, at most: udp datagrams, tcp attempts (0: not checked)
	}{
		{"before 353c454: 2 s after each failure, no bound", []Option{WithRetry(2*time.Second, 2*time.Second), WithMaxPendingSubscribes(0)}, 0},
		{"353c454: 2 s doubling to 5 min, no bound", []Option{WithRetry(2*time.Second, 5*time.Minute), WithMaxPendingSubscribes(0)}, 0},
		{"now: 30 s doubling to 30 min, 64 pending", nil, 5},
	}
	const contacts = 1000
	for i, p := range policies {
		if !testing.Verbose() && i < len(policies)-1 {
			continue
		}
		for _, transport := range []string{"udp", "tcp"} {
			t.Run(fmt.Sprintf("%d-%s", i, transport), func(t *testing.T) {
				minute, tenMinutes := deadContactTraffic(t, transport == "tcp", contacts, p.opts...)
				unit := "datagrams"
				if transport == "tcp" {
					unit = "refused connections"
				}
				t.Logf("%s, %s: %d %s in the first minute, %d in the first 10 minutes", p.name, transport, minute, unit, tenMinutes)
				// At most 5 SUBSCRIBEs start in 10 minutes: at 0, 56, 136,
				// 264 and 488 s at the earliest (the shortest draws), each
				// 11 datagrams over UDP.
				limit := p.limit * contacts
				if transport == "udp" {
					limit *= len(udpTransmissions(32 * time.Second))
				}
				if p.limit > 0 && tenMinutes > limit {
					t.Errorf("%d %s in 10 minutes, want at most %d", tenMinutes, unit, limit)
				}
			})
		}
	}
}

// deadContactTraffic subscribes to n dead contacts in fake time and
// counts what went on the wire in the first minute and the first ten.
func deadContactTraffic(t *testing.T, stream bool, n int, opts ...Option) (minute, tenMinutes int) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		dead := newDeadPeer(32*time.Second, stream)
		l := bubbleList(t, &wireSeam{fakeSeam: &fakeSeam{}, peer: dead}, opts...)
		for i := range n {
			id, u := deadContact(i)
			l.add(id, u, eventPresence)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		minute, tenMinutes = dead.onWire(start.Add(time.Minute)), dead.onWire(start.Add(10*time.Minute))
	})
	return minute, tenMinutes
}

// wireSeam is a fake seam whose every request goes to a dead peer, and
// which keeps neither the requests nor the events (thousands of them).
type wireSeam struct {
	*fakeSeam
	peer *deadPeer
}

func (w *wireSeam) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	w.peer.answer(req)
	return nil, ErrNoResponse
}

func (w *wireSeam) emit(Event) {}

// bubbleList is a subscription list alone on ua, for a synctest bubble; at
// cleanup ua closes and the bubble's time runs on until every SUBSCRIBE
// under way has ended.
func bubbleList(t *testing.T, ua *wireSeam, opts ...Option) *subscriptions {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := newSubscriptions(ctx, ua, &o, func(identity.ID, Decision) {})
	t.Cleanup(func() {
		ua.close()
		cancel()
		time.Sleep(time.Hour)
		synctest.Wait()
	})
	return l
}

// onWire counts the datagrams or connection attempts before t.
func (d *deadPeer) onWire(t time.Time) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, at := range d.wire {
		if at.Before(t) {
			n++
		}
	}
	return n
}
