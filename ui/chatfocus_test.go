package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// The core hears that the user saw a conversation when its tab is in
// front in the focused chat window: on opening it, on a message arriving
// there, on choosing its tab, on the window getting the keyboard back
// with something new; never while the window is unfocused or Parley in
// the background, and once per change.
func TestMarkReadOnlyWhenSeen(t *testing.T) {
	a, core, _ := newTestApp(t)
	core.stored[poisson] = []sipclient.ChatMessage{{ID: 1, Peer: pid(poisson), Direction: "in", Text: "hello", At: time.Now(), State: "received"}}
	msg := func(id sipclient.MessageID, from string) {
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: id, Peer: pid(from), From: from, Text: "msg", At: time.Now()}})
	}
	reads := func(want ...identity.ID) {
		t.Helper()
		if !slices.Equal(core.read, want) {
			t.Fatalf("MarkRead calls %v, want %v", core.read, want)
		}
	}
	p, e := pid(poisson), pid(euler)
	a.openChat(a.contacts[p])
	reads(p)
	msg(2, poisson)
	reads(p, p)
	a.chats.tabs.Select(a.chats.convs[p].tab) // nothing new
	reads(p, p)

	entry := a.chats.convs[p].entry
	entry.FocusLost() // the window lost the keyboard: the canvas keeps its focus
	msg(3, poisson)
	reads(p, p)
	entry.FocusGained() // and got it back
	reads(p, p, p)

	msg(4, euler) // another conversation, in a tab behind
	reads(p, p, p)
	a.chats.tabs.Select(a.chats.convs[e].tab)
	reads(p, p, p, e)

	lc := a.fa.Lifecycle().(interface {
		OnExitedForeground() func()
		OnEnteredForeground() func()
	})
	lc.OnExitedForeground()()
	msg(5, euler)
	lc.OnEnteredForeground()() // Parley back, but which window is not known yet
	reads(p, p, p, e)
	a.chats.convs[e].entry.FocusGained() // the chat window it was
	reads(p, p, p, e, e)
}
