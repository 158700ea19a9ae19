package ui

import (
	"cmp"
	"context"
	"fmt"
	"github.com/parley-im/parley/internal/idtest"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// fakeCore records what the UI asks of the core. It is a unit-test seam
// only; the end-to-end test drives the real core.
type fakeCore struct {
	mu         sync.Mutex
	events     chan sipclient.Event
	subscribed []string
	watchCalls []string // "+uri" per Subscribe, "-id" per Unsubscribe, in order
	sent       []string // "uri|text"
	presence   []sipclient.Presence
	own        sipclient.Presence // what Presence answers: the saved status
	decisions  map[string]sipclient.Decision
	ended      []identity.ID // EndWatcher calls
	sendErr    error
	n          int
	retried    []sipclient.MessageID
	stored     map[string][]sipclient.ChatMessage // peer -> newest first
	searches   []string                           // "peer|text"; peer "" for all
	exportErr  error
	afterSend  func() // runs once SendMessage has stored the message
	deleted    []sipclient.MessageID
	deleteErr  error
	// afterRead runs once HistoryAfter has read its page, before it returns.
	afterRead func()
	typing    []string // "uri|true" per SetTyping
	read      []identity.ID
	imPrefs   []sipclient.IMPrefs
	awayAfter time.Duration   // what AutoAwayAfter answers
	awaySet   []time.Duration // SetAutoAwayAfter calls
	lastSeen  map[identity.ID]time.Time
}

func (f *fakeCore) LastSeen(peer identity.ID) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastSeen[peer]
}

func (f *fakeCore) AutoAwayAfter() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.awayAfter
}

func (f *fakeCore) SetAutoAwayAfter(d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.awayAfter = d
	f.awaySet = append(f.awaySet, d)
	return nil
}

func newFakeCore() *fakeCore {
	return &fakeCore{awayAfter: 5 * time.Minute, events: make(chan sipclient.Event, 100), decisions: map[string]sipclient.Decision{}, stored: map[string][]sipclient.ChatMessage{}}
}

func (f *fakeCore) Events() <-chan sipclient.Event { return f.events }
func (f *fakeCore) AOR() string                    { return "sip:me@127.0.0.1:5060" }

func (f *fakeCore) Subscribe(_ context.Context, uri string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subscribed = append(f.subscribed, uri)
	f.watchCalls = append(f.watchCalls, "+"+uri)
	return nil
}

func (f *fakeCore) Unsubscribe(_ context.Context, who identity.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watchCalls = append(f.watchCalls, "-"+who.String())
	return nil
}

func (f *fakeCore) SendMessage(_ context.Context, uri, text string) (sipclient.MessageID, error) {
	if f.afterSend != nil {
		defer f.afterSend()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return 0, f.sendErr
	}
	f.n++
	f.sent = append(f.sent, uri+"|"+text)
	id := sent(f.n)
	// Stored as sent at once, as the real core's outbox does.
	peer := pid(uri)
	out := sipclient.ChatMessage{ID: id, Peer: peer, PeerURI: uri, Direction: history.Out, Text: text, State: history.StatePending}
	f.stored[peer.String()] = append([]sipclient.ChatMessage{out}, f.stored[peer.String()]...)
	return id, nil
}

func (f *fakeCore) SetPresence(_ context.Context, p sipclient.Presence) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presence = append(f.presence, p)
	f.own = p
	return nil
}

func (f *fakeCore) EndWatcher(who identity.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = append(f.ended, who)
	return nil
}

func (f *fakeCore) Presence() sipclient.Presence {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.own
}

func (f *fakeCore) AuthorizeWatcher(who identity.ID, d sipclient.Decision) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decisions[who.String()] = d
	return nil
}

func (f *fakeCore) RetryMessage(_ context.Context, id sipclient.MessageID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried = append(f.retried, id)
	return nil
}

func (f *fakeCore) DeleteMessage(_ context.Context, id sipclient.MessageID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deleteErr != nil {
		return f.deleteErr
	}
	f.deleted = append(f.deleted, id)
	return nil
}

// History pages the stored messages like the real core: newest first,
// older than beforeID.
func (f *fakeCore) History(_ context.Context, peer identity.ID, beforeID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all := f.stored[peer.String()]
	start := 0
	for i, m := range all {
		if m.ID == beforeID {
			start = i + 1
		}
	}
	end := min(start+n, len(all))
	return all[start:end], nil
}

// HistoryAfter pages forward: oldest first, newer than afterID.
func (f *fakeCore) HistoryAfter(_ context.Context, peer identity.ID, afterID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error) {
	if f.afterRead != nil {
		defer f.afterRead()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	all := f.stored[peer.String()] // newest first
	end := slices.IndexFunc(all, func(m sipclient.ChatMessage) bool { return m.ID == afterID })
	if end < 0 {
		return nil, fmt.Errorf("message %s: not found", afterID)
	}
	var out []sipclient.ChatMessage
	for i := end - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, all[i])
	}
	return out, nil
}

// Search finds stored messages holding every word of text (any case),
// newest first by numeric ID across conversations, like the real core.
func (f *fakeCore) Search(_ context.Context, text string, n int) ([]sipclient.ChatMessage, error) {
	return f.search("", text, n), nil
}

func (f *fakeCore) SearchConversation(_ context.Context, peer identity.ID, text string, n int) ([]sipclient.ChatMessage, error) {
	return f.search(peer.String(), text, n), nil
}

func (f *fakeCore) search(peer, text string, n int) []sipclient.ChatMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches = append(f.searches, peer+"|"+text)
	var hits []sipclient.ChatMessage
	for p, msgs := range f.stored {
		if peer != "" && p != peer {
			continue
		}
		for _, m := range msgs {
			if containsWords(m.Text, text) {
				m.Peer, m.PeerURI = pid(p), p
				hits = append(hits, m)
			}
		}
	}
	slices.SortFunc(hits, func(a, b sipclient.ChatMessage) int { return cmp.Compare(b.ID, a.ID) })
	return hits[:min(n, len(hits))]
}

func containsWords(text, query string) bool {
	text = strings.ToLower(text)
	for _, w := range strings.Fields(strings.ToLower(query)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return strings.TrimSpace(query) != ""
}

// sent is the ID SendMessage gives the nth message sent, far above the
// IDs tests store, as the real core's grow with time.
func sent(n int) sipclient.MessageID { return sipclient.MessageID(1_000_000 + n) }

// Export writes the stored conversation oldest first, one line a message.
func (f *fakeCore) Export(_ context.Context, who identity.ID, w io.Writer) error {
	peer := who.String()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exportErr != nil {
		return f.exportErr
	}
	for _, m := range slices.Backward(f.stored[peer]) {
		if _, err := fmt.Fprintf(w, "%s %s: %s\n", m.Direction, peer, m.Text); err != nil {
			return err
		}
	}
	return nil
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID

func (f *fakeCore) SetTyping(_ context.Context, uri string, active bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.typing = append(f.typing, fmt.Sprintf("%s|%v", uri, active))
	return nil
}

func (f *fakeCore) MarkRead(_ context.Context, peer identity.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.read = append(f.read, peer)
	return nil
}

func (f *fakeCore) SetIMPrefs(p sipclient.IMPrefs) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.imPrefs = append(f.imPrefs, p)
}
