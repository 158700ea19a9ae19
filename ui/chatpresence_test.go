package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/sipclient"
)

// The tab and the header of a chat show the contact's presence mark,
// status and note, and follow each change as it comes.
func TestChatShowsLivePresence(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	if conv.tab.Text != "? Laplace · Unknown" || !onScreen(conv.header.box, "Unknown") {
		t.Errorf("before any presence: tab %q, header %q", conv.tab.Text, textsOnScreen(conv.header.box))
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, Activity: "away", Note: "In the lab until five, then at the seminar", At: time.Now()}})
	if conv.tab.Text != "◐ Laplace · Away: In the lab until five, …" {
		t.Errorf("away: tab %q", conv.tab.Text)
	}
	if !onScreen(conv.header.box, "Laplace") || !onScreen(conv.header.box, "Away — In the lab until five, then at the seminar") ||
		conv.header.mark.Text != "◐" || conv.header.mark.Color != dotColor(availAway, fyne.CurrentApp().Settings().ThemeVariant()) {
		t.Errorf("away: header %q, mark %q", textsOnScreen(conv.header.box), conv.header.mark.Text)
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, At: time.Now()}})
	if conv.tab.Text != "● Laplace · Available" || !onScreen(conv.header.box, "Available") || onScreen(conv.header.box, "seminar") {
		t.Errorf("back: tab %q, header %q", conv.tab.Text, textsOnScreen(conv.header.box))
	}
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: "hi", At: time.Now()}})
	a.chats.tabs.Select(a.chats.conversationFor(a.contacts[pid(euler)]).tab)
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 2, Peer: pid(laplace), From: laplace, Text: "hi", At: time.Now()}})
	if !strings.HasPrefix(conv.tab.Text, "● Laplace · Available (") {
		t.Errorf("unread: tab %q", conv.tab.Text)
	}
}
