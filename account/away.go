package account

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// DefaultIdleAway is how long without input turns an Available user Away.
// (the flag --idle-away of cmd/parley sets it; 0 turns auto-away off).
const DefaultIdleAway = 5 * time.Minute

// Auto-away: while the desktop says the user is gone (idle for the
// threshold, or the screen locked), an Available user is published as
// Away with their note kept, and is Available again at the first input.
// The automatic Away is not the user's choice: it is never saved in
// prefs.json, it never overrides a status they chose (Away, Busy, Do not
// disturb, On the phone, Appear offline), and a status they choose while
// it lasts ends it.

// RunAutoAway applies the desktop's word (true: the user is away) from
// away until it closes, which puts the user's own status back, or until
// ctx ends (Parley quits: nothing is published then).
func (m *Manager) RunAutoAway(ctx context.Context, away <-chan bool) {
	for {
		select {
		case <-ctx.Done():
			return
		case v, open := <-away:
			if !open {
				m.setAutoAway(ctx, Desktop{})
				return
			}
			m.setAutoAway(ctx, Desktop{Away: v, Idle: v})
		}
	}
}

// AutoAway says whether the published Away is the automatic one.
func (m *Manager) AutoAway() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.auto
}

// Published is the presence every identity publishes now: the user's
// choice, or the automatic Away.
func (m *Manager) Published() sipclient.Presence {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.publishedLocked()
}

// publishedLocked: the automatic Away says it is one (RPID user-input
// idle, since the last input, after the threshold), for the watchers.
func (m *Manager) publishedLocked() sipclient.Presence {
	if m.auto {
		return sipclient.Presence{Status: sipclient.StatusAway, Note: m.presence.Note,
			Idle: true, LastInput: m.autoFrom, IdleAfter: m.awayAfterLocked()}
	}
	return m.presence
}

// Desktop is the desktop's word on the user: Away, and whether for
// idle time (no input for the threshold) rather than a lock alone.
type Desktop struct {
	Away bool
	Idle bool
}

// setAutoAway starts (on) or ends the automatic Away. Starting it does
// nothing unless the user chose Available; ending it does nothing unless
// it is on. A change is published on every identity and told in an
// OwnPresenceChanged.
func (m *Manager) setAutoAway(ctx context.Context, d Desktop) {
	on := d.Away
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	m.mu.Lock()
	if on && !m.auto && m.presence.Status != sipclient.StatusAvailable {
		st := m.presence.Status
		m.mu.Unlock()
		m.log.Info("away from the desktop; the status the user chose stays", "status", st)
		return
	}
	if on == m.auto {
		m.mu.Unlock()
		return
	}
	m.auto = on
	// The desktop says idle once the threshold has passed since the last
	// input; after a lock alone, when the last input came is not known.
	m.autoFrom = time.Time{}
	if d.Idle {
		m.autoFrom = time.Now().Add(-m.awayAfterLocked()).Truncate(time.Second)
	}
	p := m.publishedLocked()
	m.mu.Unlock()
	m.log.Info("automatic away", "on", on)
	if err := m.each(func(c *sipclient.Client) error { return c.SetPresence(ctx, p) }); err != nil {
		m.log.Warn("publishing the automatic status", "error", err)
	}
	m.events.push(sipclient.OwnPresenceChanged{Presence: p, Auto: on})
}
