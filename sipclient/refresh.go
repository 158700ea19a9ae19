package sipclient

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// Refresh renews everything this client keeps at others after the
// machine slept, when timers stopped and the server or the peers may
// have forgotten us: a REGISTER now (server mode, while the binding
// runs), every subscription refreshed at once (at most the pending cap
// of them awaiting an answer together), and our presence published
// again. Each contact whose presence is known is first reported stale
// (PresenceStale) until its fresh NOTIFY arrives, or until its refresh
// fails and it is reported unknown. It returns at once; the requests go
// on in the background, bounded by Close.
func (c *Client) Refresh(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.isClosed() {
		return ErrClosed
	}
	if c.reg != nil {
		c.reg.wake()
	}
	c.subs.refreshAll(c.opt.maxPending)
	c.publish(pubModify)
	return nil
}

// PresenceStale says a contact's last presence may be old (the machine
// slept): it stands until the next PresenceChanged for the same peer.
type PresenceStale struct {
	Peer identity.ID
	URI  string
	At   time.Time
}

func (PresenceStale) isEvent() {}

// refreshAll marks the known presences stale and refreshes every
// subscription, n at a time (n <= 0: all at once): one in a dialog in
// it, others with a new SUBSCRIBE now (their backoff forgotten).
func (l *subscriptions) refreshAll(n int) {
	all := l.all()
	if n <= 0 {
		n = max(len(all), 1)
	}
	now := time.Now()
	for _, s := range all {
		s.mu.Lock()
		if s.event == eventPresence && s.lastBasic != BasicUnknown && !s.ended {
			l.ua.emit(PresenceStale{Peer: s.peer, URI: s.uri, At: now})
		}
		s.attempt = 0
		s.mu.Unlock()
	}
	go parallel(all, n, func(s *subscription) { s.send(true) })
}
