package sipclient

import (
	"context"
	"strings"
	"sync"

	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/imdn"
	"github.com/parley-im/parley/sipclient/iscomposing"
)

// maxCachedCaps bounds the capability cache; the history holds the rest.
const maxCachedCaps = 4096

// capBook is what each peer showed it speaks of the IM dialect (typing
// notices, CPIM with IMDN, plain text only), read through a cache from
// the history, which keeps it across restarts.
//
// What counts as showing: a peer takes typing notices once it sent us
// one, or once it sent CPIM with IMDN headers or a notification (every
// client known to do that takes is-composing too: Linphone, sipsimple,
// RCS); a plain 200 to a text message shows nothing (baresip answers 200
// and would print the XML as text). It refuses them for good once it
// answered one 415 or 488. A peer speaks IMDN once it sent CPIM with IMDN
// headers or a notification about one of our messages, and is plain only
// once it answered a CPIM message 415.
//
// A peer also shows it in the 2xx to one of our messages: an Accept
// header that lists application/im-iscomposing+xml says it takes typing
// notices, one that lists message/cpim and message/imdn+xml says it
// speaks IMDN. Parley's own 200s carry one, so two Parleys find each
// other after the first message, while a peer that says nothing (baresip,
// Linphone) keeps getting exactly what it got before.
type capBook struct {
	store *chatStore
	mu    sync.Mutex
	known map[identity.ID]history.Caps
}

func newCapBook(store *chatStore) *capBook {
	return &capBook{store: store, known: map[identity.ID]history.Caps{}}
}

// get returns what peer showed; unknown when the history cannot say.
func (b *capBook) get(peer identity.ID) history.Caps {
	b.mu.Lock()
	c, ok := b.known[peer]
	b.mu.Unlock()
	if ok {
		return c
	}
	st, _ := b.store.get()
	if st == nil {
		return c // not started, or closed: nothing known yet
	}
	c, err := st.PeerCaps(context.Background(), peer)
	if err != nil {
		return c
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if newer, ok := b.known[peer]; ok {
		return newer // learned while the history was read: it stands
	}
	b.rememberLocked(peer, c)
	return c
}

func (b *capBook) rememberLocked(peer identity.ID, c history.Caps) {
	if len(b.known) >= maxCachedCaps {
		clear(b.known)
	}
	b.known[peer] = c
}

// update applies f to what peer showed; a change is written to the
// history when keep is true (memory only otherwise: a stranger's typing
// notices must not grow the file).
func (b *capBook) update(peer identity.ID, keep bool, f func(*history.Caps)) {
	if peer.IsZero() {
		return
	}
	b.get(peer) // loaded from the history first
	// Read, change and remember under one lock: two updates at once (a
	// 200's Accept, an incoming receipt) must not undo each other.
	b.mu.Lock()
	old, ok := b.known[peer]
	c := old
	f(&c)
	if ok && c == old {
		b.mu.Unlock()
		return
	}
	b.rememberLocked(peer, c)
	b.mu.Unlock()
	if !keep {
		return
	}
	_ = b.store.do(context.Background(), false, func(st *history.Store, _ int64) error {
		return st.SetPeerCaps(context.Background(), peer, c)
	})
}

// takesTyping reports a peer that showed it takes typing notices.
func (c capsView) takesTyping() bool {
	return c.Typing == history.SupportYes || c.Typing == history.SupportUnknown && c.IMDN == history.SupportYes
}

// capsView adds the decisions above to history.Caps.
type capsView history.Caps

func (b *capBook) view(peer identity.ID) capsView { return capsView(b.get(peer)) }

// learnAccept reads the Accept of the 2xx a peer gave one of our
// messages. A refusal the peer made before stands.
func (b *capBook) learnAccept(peer identity.ID, accept string) {
	if accept == "" {
		return
	}
	var typing, cpimOK, imdnOK bool
	for item := range strings.SplitSeq(accept, ",") {
		mt, _, _ := strings.Cut(item, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case iscomposing.ContentType:
			typing = true
		case cpim.ContentType:
			cpimOK = true
		case imdn.ContentType:
			imdnOK = true
		}
	}
	b.update(peer, true, func(c *history.Caps) {
		if typing && c.Typing == history.SupportUnknown {
			c.Typing = history.SupportYes
		}
		if cpimOK && imdnOK && c.IMDN == history.SupportUnknown {
			c.IMDN = history.SupportYes
		}
	})
}
