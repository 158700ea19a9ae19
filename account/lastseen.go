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
	times map[identity.ID]seenAt
}

// seenAt is one contact's time, and whether the store has it yet. One
// map of small values, not a time.Time in two maps: it is kept for
// every contact (≈ 50 bytes each instead of ≈ 190).
type seenAt struct {
	unixNano int64
	unsaved  bool
}

func (t seenAt) time() time.Time {
	if t.unixNano == 0 {
		return time.Time{}
	}
	return time.Unix(0, t.unixNano)
}

// loadLastSeen reads the saved times; a failure leaves them unknown
// (said in the log), never stops the start.
func (m *Manager) loadLastSeen(ctx context.Context) {
	s := &lastSeen{store: m.store, log: m.log, times: map[identity.ID]seenAt{}}
	if saved, err := m.store.LastSeen(ctx); err != nil {
		m.log.Warn("last seen times not read", "error", err)
	} else {
		for peer, at := range saved {
			s.times[peer] = seenAt{unixNano: at.UnixNano()}
		}
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
	t := s.times[p.Peer]
	if p.LastSeen.After(t.time()) {
		t = seenAt{unixNano: p.LastSeen.UnixNano(), unsaved: true}
	} else {
		p.LastSeen = t.time()
	}
	var save map[identity.ID]time.Time
	if t.unsaved && p.Basic != sipclient.BasicOpen {
		save = map[identity.ID]time.Time{p.Peer: p.LastSeen}
		t.unsaved = false
	}
	if t.unixNano != 0 {
		s.times[p.Peer] = t
	}
	s.mu.Unlock()
	if save != nil {
		s.save(save)
	}
	return p
}

// flush saves every time not yet saved.
func (s *lastSeen) flush() {
	save := map[identity.ID]time.Time{}
	s.mu.Lock()
	for peer, t := range s.times {
		if t.unsaved {
			save[peer] = t.time()
			t.unsaved = false
			s.times[peer] = t
		}
	}
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
	return s.times[peer].time()
}
