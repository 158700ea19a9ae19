package sipclient

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/iscomposing"
)

// Timing of typing notices (RFC 3994).
const (
	// typingIdleAfter: no keystroke for this long and the user is idle
	// (the RFC's default idle timeout).
	typingIdleAfter = 15 * time.Second
	// typingRefresh is the refresh we announce with active; the RFC
	// wants at least 60 s. While the user keeps typing, active goes out
	// again after typingResend, before the peer's timer runs out.
	typingRefresh = 60 * time.Second
	typingResend  = 50 * time.Second
	// A peer's active state lasts its refresh, bounded by these.
	typingMinTimeout = time.Second
	typingMaxTimeout = 10 * time.Minute
	// typingMaxPeers bounds the peers whose typing we follow at once.
	typingMaxPeers = 1024
	// overtakeWait bounds how long a message waits for a typing notice
	// already on its way to the same peer, so they arrive in order.
	overtakeWait = 2 * time.Second
)

// sendFunc sends one MESSAGE with a body of type ct to uri, not stored.
type sendFunc func(ctx context.Context, uri, ct string, body []byte) error

// typing is the is-composing role (RFC 3994) both ways: it tells peers
// that take it when the user types, and follows theirs. It never sends a
// notice while a message to that peer is being sent (hold/release), so a
// notice never overtakes a message nor a message a notice; a message the
// peer took counts as idle there, as the RFC says, so no idle follows it.
type typing struct {
	ctx   context.Context
	ua    seam
	caps  *capBook
	prefs *imPrefs
	send  sendFunc
	spawn func(func()) bool // runs f as the pager's tracked work; false once halted

	mu     sync.Mutex
	closed bool
	out    map[identity.ID]*composing
	in     map[identity.ID]*peerTyping
}

// composing is the user's side of one conversation.
type composing struct {
	uri     string
	want    bool      // the user is composing
	told    bool      // the peer was last told active
	toldAt  time.Time // when active last went out
	lastKey time.Time
	idle    *time.Timer   // makes want false typingIdleAfter after the last keystroke
	busy    int           // messages to the peer being sent
	flying  chan struct{} // closes when the notice on its way is answered; nil if none
}

// peerTyping is a peer seen composing.
type peerTyping struct {
	uri   string
	timer *time.Timer
}

func newTyping(ctx context.Context, ua seam, caps *capBook, prefs *imPrefs, send sendFunc, spawn func(func()) bool) *typing {
	return &typing{ctx: ctx, ua: ua, caps: caps, prefs: prefs, send: send, spawn: spawn,
		out: map[identity.ID]*composing{}, in: map[identity.ID]*peerTyping{}}
}

// set is SetTyping: the user is (active) or stopped composing to uri.
func (t *typing) set(uri string, active bool) error {
	_, peer, err := parseTarget(uri)
	if err != nil {
		return err
	}
	if !t.prefs.get().TypingNotices || !t.caps.view(peer).takesTyping() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	c := t.composer(peer, uri)
	c.want = active
	if active {
		c.lastKey = time.Now()
		t.armIdle(peer, c)
	} else if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	t.kickLocked(peer, c)
	return nil
}

func (t *typing) composer(peer identity.ID, uri string) *composing {
	c := t.out[peer]
	if c == nil {
		c = &composing{}
		t.out[peer] = c
	}
	if uri != "" {
		c.uri = uri
	}
	return c
}

func (t *typing) armIdle(peer identity.ID, c *composing) {
	if c.idle != nil {
		c.idle.Stop()
	}
	var timer *time.Timer
	timer = time.AfterFunc(typingIdleAfter, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.closed || c.idle != timer {
			return
		}
		c.idle, c.want = nil, false
		t.kickLocked(peer, c)
	})
	c.idle = timer
}

// kickLocked sends what the peer must be told now, unless a notice or a
// message is on its way to it; their end kicks again. It forgets a
// conversation with nothing left to do.
func (t *typing) kickLocked(peer identity.ID, c *composing) {
	if c.flying != nil || c.busy > 0 {
		return
	}
	now := time.Now()
	var state iscomposing.State
	switch {
	case c.want && (!c.told || now.Sub(c.toldAt) >= typingResend):
		state = iscomposing.StateActive
	case !c.want && c.told:
		state = iscomposing.StateIdle
	default:
		if !c.want && c.idle == nil {
			delete(t.out, peer)
		}
		return
	}
	if c.uri == "" || !t.prefs.get().TypingNotices {
		return
	}
	c.flying = make(chan struct{})
	uri, lastKey := c.uri, c.lastKey
	if !t.spawn(func() { t.deliver(peer, c, uri, state, lastKey) }) {
		close(c.flying)
		c.flying = nil
	}
}

// deliver sends one notice and records what the peer now knows.
func (t *typing) deliver(peer identity.ID, c *composing, uri string, state iscomposing.State, lastKey time.Time) {
	ind := &iscomposing.Indication{State: state, ContentType: "text"}
	if state == iscomposing.StateActive {
		ind.Refresh = typingRefresh
	} else if !lastKey.IsZero() {
		ind.LastActive = lastKey.UTC().Truncate(time.Second)
	}
	body, err := iscomposing.Encode(ind)
	if err == nil {
		err = t.send(t.ctx, uri, iscomposing.ContentType, body)
	}
	var re *ResponseError
	refused := errors.As(err, &re) && (re.Code == 415 || re.Code == 488)
	if refused {
		t.caps.update(peer, true, func(c *history.Caps) { c.Typing = history.SupportNo })
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	close(c.flying)
	c.flying = nil
	// Told, whatever the answer: a failed notice is not retried (the
	// next keystroke or the peer's timeout settles it).
	c.told = state == iscomposing.StateActive && !refused
	if c.told {
		c.toldAt = time.Now()
	}
	if refused {
		c.want = false
	}
	if !t.closed {
		t.kickLocked(peer, c)
	}
}

// hold is called before a message to peer is sent: the user sent the
// text, so composing is over, and a notice on its way goes first
// (waited for, bounded by overtakeWait).
func (t *typing) hold(peer identity.ID) {
	t.mu.Lock()
	c := t.composer(peer, "")
	c.busy++
	c.want = false
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
	flying := c.flying
	t.mu.Unlock()
	if flying == nil {
		return
	}
	wait := time.NewTimer(overtakeWait)
	defer wait.Stop()
	select {
	case <-flying:
	case <-wait.C:
	}
}

// release ends a hold; taken says the peer took the message, which it
// reads as idle (RFC 3994 3.1), so no idle notice follows.
func (t *typing) release(peer identity.ID, taken bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.out[peer]
	if c == nil {
		return
	}
	c.busy--
	if taken {
		c.told = false
	}
	if !t.closed {
		t.kickLocked(peer, c)
	}
}

// off forgets what the user was composing: with typing notices off,
// nothing more goes out (the peer's timer clears what it showed).
func (t *typing) off() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for peer, c := range t.out {
		c.want = false
		if c.idle != nil {
			c.idle.Stop()
			c.idle = nil
		}
		if c.busy == 0 && c.flying == nil {
			delete(t.out, peer)
		}
	}
}

// indication applies a peer's is-composing: active starts (or refreshes)
// its timer, idle ends it. Only a change is announced.
func (t *typing) indication(peer identity.ID, uri string, ind *iscomposing.Indication) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if ind.State != iscomposing.StateActive {
		t.stopLocked(peer)
		return
	}
	pt := t.in[peer]
	if pt == nil {
		if len(t.in) >= typingMaxPeers {
			return
		}
		pt = &peerTyping{uri: uri}
		t.in[peer] = pt
		t.ua.emit(TypingChanged{Peer: peer, URI: uri, Active: true, At: time.Now()})
	} else {
		pt.timer.Stop()
	}
	timeout := min(max(ind.Timeout(), typingMinTimeout), typingMaxTimeout)
	pt.timer = time.AfterFunc(timeout, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.closed && t.in[peer] == pt {
			t.stopLocked(peer)
		}
	})
}

// messageFrom is called when peer's message arrives, before it is
// announced: the peer stopped composing.
func (t *typing) messageFrom(peer identity.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed {
		t.stopLocked(peer)
	}
}

func (t *typing) stopLocked(peer identity.ID) {
	pt := t.in[peer]
	if pt == nil {
		return
	}
	pt.timer.Stop()
	delete(t.in, peer)
	t.ua.emit(TypingChanged{Peer: peer, URI: pt.uri, Active: false, At: time.Now()})
}

// stop ends every timer; nothing is announced or sent after it.
func (t *typing) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, pt := range t.in {
		pt.timer.Stop()
	}
	for _, c := range t.out {
		if c.idle != nil {
			c.idle.Stop()
		}
	}
}
