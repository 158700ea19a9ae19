package account

import (
	"context"
	"time"
)

// The auto-away threshold is the user's setting (prefs.json), or
// DefaultIdleAway until they choose; --idle-away overrides it for one
// run. A change applies at once: WatchAutoAway starts watching the
// desktop again with the new threshold.

// AutoAwayAfter is how long without input makes the user Away in this
// run (0: never).
func (m *Manager) AutoAwayAfter() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.awayAfterLocked()
}

func (m *Manager) awayAfterLocked() time.Duration {
	if m.awayAfter != nil {
		return *m.awayAfter
	}
	d := DefaultIdleAway
	if m.cfg.Prefs != nil {
		if saved, ok := m.cfg.Prefs.AwayAfter(); ok {
			d = saved
		}
	}
	m.awayAfter = &d
	return d
}

// OverrideAutoAwayAfter sets the threshold for this run only (the
// --idle-away flag): the saved setting stays.
func (m *Manager) OverrideAutoAwayAfter(d time.Duration) {
	m.setAwayAfter(max(d, 0))
}

// SetAutoAwayAfter is the user's choice of threshold (0: never): saved,
// and applied at once.
func (m *Manager) SetAutoAwayAfter(d time.Duration) error {
	d = max(d, 0)
	m.setAwayAfter(d)
	if m.cfg.Prefs == nil {
		return nil
	}
	return m.cfg.Prefs.SetAwayAfter(d)
}

func (m *Manager) setAwayAfter(d time.Duration) {
	m.mu.Lock()
	changed := m.awayAfter == nil || *m.awayAfter != d
	m.awayAfter = &d
	m.mu.Unlock()
	if changed {
		select { // one wake-up is enough: the loop reads the latest
		case m.awayChanged <- struct{}{}:
		default:
		}
	}
}

// WatchAutoAway follows the desktop with the threshold of the moment
// until ctx ends: watch(ctx, threshold) says when the user is away,
// and is called again, with a fresh ctx, after each change of the
// threshold (never with 0: auto-away is off then).
func (m *Manager) WatchAutoAway(ctx context.Context, watch func(context.Context, time.Duration) <-chan Desktop) {
	for {
		select { // the value read below is the latest: a wake-up for it is spent
		case <-m.awayChanged:
		default:
		}
		wctx, cancel := context.WithCancel(ctx)
		var away <-chan Desktop
		if d := m.AutoAwayAfter(); d > 0 {
			away = watch(wctx, d)
		}
		changed := m.followAway(ctx, away)
		cancel()
		if !changed {
			return
		}
		// The user is at the keyboard, changing the setting: the new
		// watch says at once whether they are away by the new threshold.
		m.setAutoAway(ctx, Desktop{})
	}
}

// followAway applies away's words until the threshold changes (true) or
// ctx ends (false). A closed channel ends the automatic Away; the loop
// then waits for a change.
func (m *Manager) followAway(ctx context.Context, away <-chan Desktop) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-m.awayChanged:
			return true
		case v, open := <-away:
			if !open {
				away = nil
				v = Desktop{}
			}
			m.setAutoAway(ctx, v)
		}
	}
}
