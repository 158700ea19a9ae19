package ui

import (
	"context"
	"fmt"
	"sync"

	"github.com/parley-im/parley/sipclient"
)

// fakeCore records what the UI asks of the core. It is a unit-test seam
// only; the end-to-end test drives the real core.
type fakeCore struct {
	mu         sync.Mutex
	events     chan sipclient.Event
	subscribed []string
	sent       []string // "uri|text"
	presence   []sipclient.Presence
	decisions  map[string]sipclient.Decision
	sendErr    error
	n          int
	retried    []string
	stored     map[string][]sipclient.ChatMessage // peer -> newest first
}

func newFakeCore() *fakeCore {
	return &fakeCore{events: make(chan sipclient.Event, 100), decisions: map[string]sipclient.Decision{}, stored: map[string][]sipclient.ChatMessage{}}
}

func (f *fakeCore) Events() <-chan sipclient.Event { return f.events }
func (f *fakeCore) AOR() string                    { return "sip:me@127.0.0.1:5060" }

func (f *fakeCore) Subscribe(_ context.Context, uri string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subscribed = append(f.subscribed, uri)
	return nil
}

func (f *fakeCore) Unsubscribe(context.Context, string) error { return nil }

func (f *fakeCore) SendMessage(_ context.Context, uri, text string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return "", f.sendErr
	}
	f.n++
	f.sent = append(f.sent, uri+"|"+text)
	return fmt.Sprintf("msg-%d", f.n), nil
}

func (f *fakeCore) SetPresence(_ context.Context, p sipclient.Presence) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presence = append(f.presence, p)
	return nil
}

func (f *fakeCore) AuthorizeWatcher(uri string, d sipclient.Decision) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decisions[uri] = d
	return nil
}

func (f *fakeCore) RetryMessage(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retried = append(f.retried, id)
	return nil
}

// History pages the stored messages like the real core: newest first,
// older than beforeID.
func (f *fakeCore) History(_ context.Context, peer, beforeID string, n int) ([]sipclient.ChatMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	all := f.stored[peer]
	start := 0
	for i, m := range all {
		if m.ID == beforeID {
			start = i + 1
		}
	}
	end := min(start+n, len(all))
	return all[start:end], nil
}
