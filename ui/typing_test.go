package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
)

// The contact's typing shows under the messages and on the tab, and goes
// when the core says it stopped; the messages do not move for it.
func TestPeerTypingShowsAndClears(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	cw := a.chats.win
	test.LaidOutObjects(cw.Canvas().Content())
	view := conv.scroll.Size()
	a.applyBatch([]sipclient.Event{sipclient.TypingChanged{Peer: pid(poisson), URI: poisson, Active: true, At: time.Now()}})
	if !onScreen(windowContent(cw), "Poisson is typing…") || conv.tab.Text != tabTitle(conv.contact)+" ✎" {
		t.Fatalf("typing not shown: tab %q, %q", conv.tab.Text, textsOnScreen(windowContent(cw)))
	}
	test.LaidOutObjects(cw.Canvas().Content())
	if conv.scroll.Size() != view {
		t.Errorf("the messages' view changed size: %v → %v", view, conv.scroll.Size())
	}
	a.applyBatch([]sipclient.Event{sipclient.TypingChanged{Peer: pid(poisson), URI: poisson, Active: false, At: time.Now()}})
	if onScreen(windowContent(cw), "Poisson is typing…") || conv.tab.Text != tabTitle(conv.contact) {
		t.Errorf("typing not cleared: tab %q, %q", conv.tab.Text, textsOnScreen(windowContent(cw)))
	}
}

// Typing that began before the chat was opened shows when it opens; a
// stranger's typing shows nowhere.
func TestPeerTypingBeforeChatOpens(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{
		sipclient.TypingChanged{Peer: pid(euler), URI: euler, Active: true},
		sipclient.TypingChanged{Peer: pid("sip:eve@x.org"), URI: "sip:eve@x.org", Active: true},
	})
	if a.chats.win != nil {
		t.Fatal("typing opened a chat")
	}
	a.openChat(a.contacts[pid(euler)])
	if !onScreen(windowContent(a.chats.win), "Euler is typing…") || a.chats.convs[pid(euler)].tab.Text != "Euler · Unknown ✎" {
		t.Errorf("typing not shown on opening: %q", textsOnScreen(windowContent(a.chats.win)))
	}
}

// The core hears that the user types when they start, again only after
// typingRefresh of more typing, and that they stopped when the text is
// sent or cleared or the tab closed.
func TestOwnTypingToldThrottled(t *testing.T) {
	a, core, _ := newTestApp(t)
	now := time.Date(2025, 3, 1, 14, 5, 0, 0, time.Local)
	a.now = func() time.Time { return now }
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	on, off := poisson+"|true", poisson+"|false"
	test.Type(conv.entry, "Hello")
	now = now.Add(2 * time.Second)
	test.Type(conv.entry, ", Siméon")
	if !slices.Equal(core.typing, []string{on}) {
		t.Fatalf("after typing for 2 s: %q", core.typing)
	}
	now = now.Add(typingRefresh)
	test.Type(conv.entry, "!")
	conv.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !slices.Equal(core.typing, []string{on, on, off}) || len(core.sent) != 1 {
		t.Fatalf("after more typing and sending: %q, sent %q", core.typing, core.sent)
	}
	test.Type(conv.entry, "oops")
	conv.entry.SetText("")
	test.Type(conv.entry, "again")
	cw := a.chats
	cw.tabs.Remove(conv.tab)
	cw.tabs.OnClosed(conv.tab)
	if want := []string{on, on, off, on, off, on, off}; !slices.Equal(core.typing, want) {
		t.Errorf("cleared, typed, tab closed: %q, want %q", core.typing, want)
	}
}
