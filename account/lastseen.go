package account

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// When a contact was last seen available is kept in the history
// database (which owns what Parley learned over time), so "Offline —
// last seen 14:05" survives a restart: a client knows only what it saw
// since it started, and the Manager fills in the rest. A time is saved
// when the contact stops being seen available (a rare event, one small
// write) and at Close for the others; a crash loses only the times of
// contacts still available then.

// lastSeen is what the Manager knows of contacts' last-seen times.
type lastSeen struct {
	store *history.Store
	log   *slog.Logger
	mu    sync.Mutex
	known map[identity.ID]time.Time
	dirty map[identity.ID]time.Time // known, not yet saved
}

// loadLastSeen reads the saved times; a failure leaves them unknown
// (said in the log), never stops the start.
func (m *Manager) loadLastSeen(ctx context.Context) {
	s := &lastSeen{store: m.store, log: m.log, known: map[identity.ID]time.Time{}, dirty: map[identity.ID]time.Time{}}
	if saved, err := m.store.LastSeen(ctx); err != nil {
		m.log.Warn("last seen times not read", "error", err)
	} else {
		s.known = saved
	}
	m.seen = s
	m.events.tap = s.tap
}

// tap passes a client's event on: a presence event learns from, or is
// completed with, the last-seen time kept.
func (s *lastSeen) tap(e sipclient.Event) sipclient.Event {
	p, ok := e.(sipclient.PresenceChanged)
	if !ok {
		return e
	}
	s.mu.Lock()
	known := s.known[p.Peer]
	switch {
	case p.LastSeen.After(known):
		s.known[p.Peer], s.dirty[p.Peer] = p.LastSeen, p.LastSeen
	default:
		p.LastSeen = known
	}
	var save map[identity.ID]time.Time
	if at, ok := s.dirty[p.Peer]; ok && p.Basic != sipclient.BasicOpen {
		save = map[identity.ID]time.Time{p.Peer: at}
		delete(s.dirty, p.Peer)
	}
	s.mu.Unlock()
	if save != nil {
		s.save(save)
	}
	return p
}

// flush saves every time not yet saved.
func (s *lastSeen) flush() {
	s.mu.Lock()
	save := s.dirty
	s.dirty = map[identity.ID]time.Time{}
	s.mu.Unlock()
	s.save(save)
}

func (s *lastSeen) save(seen map[identity.ID]time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.SaveLastSeen(ctx, seen); err != nil {
		s.log.Warn("last seen times not saved", "error", err)
	}
}

// LastSeen is when peer was last seen available, in this run or an
// earlier one; zero if never. It reads memory only.
func (m *Manager) LastSeen(peer identity.ID) time.Time {
	s := m.seen
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known[peer]
}
