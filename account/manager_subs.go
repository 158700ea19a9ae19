package account

import (
	"context"
	"errors"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// unheld marks a subscription no client holds: its account is not running
// yet. Account IDs hold no control characters, so it names none.
const unheld = "\x00"

// watch is one contact the user subscribed to, and the identity that
// holds the subscription now.
type watch struct {
	peer   identity.ID
	uri    string // the address to watch, as given: it says the route
	holder string // account ID, direct, or unheld
}

// move is a subscription changing identity.
type move struct {
	peer     identity.ID
	uri      string
	from, to *sipclient.Client // from may be nil
}

// Subscribe watches uri's presence through the identity that routes it.
// The Manager remembers it: when that identity starts later, or the
// routes change, the subscription moves to the right client.
func (m *Manager) Subscribe(ctx context.Context, uri string) error {
	key, err := identity.Parse(uri)
	if err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return sipclient.ErrClosed
	}
	if _, ok := m.subs[key]; !ok {
		m.subs[key] = &watch{peer: key, uri: uri, holder: unheld}
	}
	m.mu.Unlock()
	return m.placeSubs(ctx, key)
}

// Unsubscribe stops watching key, on whichever identity holds it.
func (m *Manager) Unsubscribe(ctx context.Context, key identity.ID) error {
	m.mu.Lock()
	w, ok := m.subs[key]
	delete(m.subs, key)
	var c *sipclient.Client
	if ok {
		c = m.clientLocked(w.holder)
	}
	m.mu.Unlock()
	switch {
	case !ok:
		return sipclient.ErrNotFound
	case c == nil:
		return nil // no client held it
	}
	return c.Unsubscribe(ctx, w.peer)
}

// clientLocked is the running client of route id, or nil. Caller holds
// m.mu.
func (m *Manager) clientLocked(id string) *sipclient.Client {
	switch id {
	case direct:
		return m.direct
	case unheld:
		return nil
	}
	if r := m.clients[id]; r != nil {
		return r.c
	}
	return nil
}

// placeSubs moves every subscription (only the one under key, if key is
// not zero) to the client that routes it, when that client runs.
func (m *Manager) placeSubs(ctx context.Context, key identity.ID) error {
	var errs []error
	for _, mv := range m.planMoves(key) {
		if mv.from != nil {
			go m.dropSub(mv.from, mv.peer)
		}
		if err := mv.to.Subscribe(ctx, mv.uri); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) planMoves(key identity.ID) []move {
	m.mu.Lock()
	defer m.mu.Unlock()
	var moves []move
	for k, w := range m.subs {
		if !key.IsZero() && k != key {
			continue
		}
		target := m.route(w.uri)
		to := m.clientLocked(target)
		if w.holder == target || to == nil {
			continue
		}
		moves = append(moves, move{peer: w.peer, uri: w.uri, from: m.clientLocked(w.holder), to: to})
		w.holder = target
	}
	return moves
}

// releaseSubs marks the subscriptions held by a stopping client unheld.
// Caller holds m.mu.
func (m *Manager) releaseSubs(id string) {
	for _, w := range m.subs {
		if w.holder == id {
			w.holder = unheld
		}
	}
}

// dropSub ends a subscription on the identity it moved away from.
func (m *Manager) dropSub(c *sipclient.Client, peer identity.ID) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.Unsubscribe(ctx, peer)
	if err != nil && !errors.Is(err, sipclient.ErrNotFound) && !errors.Is(err, sipclient.ErrClosed) {
		m.log.Warn("moving a subscription", "peer", peer, "error", err)
	}
}
