package account

import (
	"sync"

	"github.com/parley-im/parley/sipclient"
)

// WatcherPolicy decides who may see the user's presence. The SIP core asks
// it from its own goroutines, so it is safe for concurrent use. Remembered
// answers win; contacts in the roster are allowed; anyone else is asked.
//
// It also holds the senders the user blocked (Roster.BlockedSenders), for
// the core to refuse their messages before storing them.
type WatcherPolicy struct {
	mu       sync.RWMutex
	answers  map[string]sipclient.Decision
	contacts map[string]bool
	blocked  map[string]bool // senders whose messages are dropped
	stranger sipclient.Decision
}

// NewWatcherPolicy starts from the roster's remembered answers; stranger is
// what to do with an unknown watcher (Ask, or Allow for an open presence).
func NewWatcherPolicy(r *Roster, stranger sipclient.Decision) *WatcherPolicy {
	p := &WatcherPolicy{answers: map[string]sipclient.Decision{}, contacts: map[string]bool{},
		blocked: map[string]bool{}, stranger: stranger}
	for uri, v := range r.Watchers {
		p.answers[Key(uri)] = decisionOf(v)
	}
	for _, uri := range r.BlockedSenders {
		p.blocked[Key(uri)] = true
	}
	for _, c := range r.Contacts {
		p.contacts[Key(c.URI)] = true
	}
	return p
}

func decisionOf(v string) sipclient.Decision {
	if v == "block" {
		return sipclient.Block
	}
	return sipclient.Allow
}

// Decide is a sipclient.Policy.
func (p *WatcherPolicy) Decide(uri string) sipclient.Decision {
	k := Key(uri)
	p.mu.RLock()
	defer p.mu.RUnlock()
	if d, ok := p.answers[k]; ok {
		return d
	}
	if p.contacts[k] {
		return sipclient.Allow
	}
	return p.stranger
}

// Remember records the user's answer for uri.
func (p *WatcherPolicy) Remember(uri string, d sipclient.Decision) {
	p.mu.Lock()
	p.answers[Key(uri)] = d
	p.mu.Unlock()
}

// SetContact marks uri as a contact (allowed by default) or not.
func (p *WatcherPolicy) SetContact(uri string, isContact bool) {
	p.mu.Lock()
	p.contacts[Key(uri)] = isContact
	p.mu.Unlock()
}

// BlockSender records that messages from uri are to be dropped.
func (p *WatcherPolicy) BlockSender(uri string) {
	p.mu.Lock()
	p.blocked[Key(uri)] = true
	p.mu.Unlock()
}

// UnblockSender lets uri's messages through again.
func (p *WatcherPolicy) UnblockSender(uri string) {
	p.mu.Lock()
	delete(p.blocked, Key(uri))
	p.mu.Unlock()
}

// SenderBlocked reports whether the user blocked uri's messages; it is
// the core's sipclient.WithBlockedSenders check.
func (p *WatcherPolicy) SenderBlocked(uri string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.blocked[Key(uri)]
}

// IsContact reports whether uri is in the roster; the core does not limit
// how much a contact may write (sipclient.WithStrangerLimit).
func (p *WatcherPolicy) IsContact(uri string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.contacts[Key(uri)]
}
