package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
)

// A conversation with a long history opens at its newest message, as
// every messenger does, not at the oldest of the first page.
func TestChatOpensAtNewest(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[laplace])
	conv := a.chats.convs[laplace]
	newest, oldest := conv.lines[len(conv.lines)-1], conv.lines[0]
	if newest.text != "laplace says 200" || !scrolledIntoView(conv, newest.id) || scrolledIntoView(conv, oldest.id) {
		t.Errorf("opened at offset %v of %v: newest %q in view %v, oldest in view %v", conv.scroll.Offset,
			conv.box.MinSize(), newest.text, scrolledIntoView(conv, newest.id), scrolledIntoView(conv, oldest.id))
	}
}

// Scrolling to the top loads the next older page by itself, and the line
// that was at the top stays where the reader left it.
func TestScrollToTopLoadsOlderInPlace(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[laplace])
	conv := a.chats.convs[laplace]
	reading := conv.lines[0] // "laplace says 151", the oldest of the first page
	conv.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, conv.box.MinSize().Height)})
	if len(conv.lines) != 2*historyPage || conv.lines[0].text != "laplace says 101" {
		t.Fatalf("after scrolling to the top: %d lines, first %q", len(conv.lines), conv.lines[0].text)
	}
	if !scrolledIntoView(conv, reading.id) || scrolledIntoView(conv, conv.lines[0].id) {
		t.Errorf("the view jumped: %q in view %v, the new oldest in view %v (offset %v)", reading.text,
			scrolledIntoView(conv, reading.id), scrolledIntoView(conv, conv.lines[0].id), conv.scroll.Offset)
	}
}

// A message that arrives while the reader is up in the history does not
// pull the view down; one the user sends does, and so does one that
// arrives while the newest line is in view.
func TestNewLinesFollowOnlyAtBottom(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[laplace])
	conv := a.chats.convs[laplace]
	incoming := func(id, text string) {
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: id, From: laplace, Text: text, At: time.Now()}})
	}
	incoming("9001", "while at the bottom")
	if !scrolledIntoView(conv, "9001") {
		t.Fatalf("a message at the bottom was not followed (offset %v)", conv.scroll.Offset)
	}
	reading := conv.lines[10]
	conv.scroll.ScrollToOffset(fyne.NewPos(0, reading.row.box.Position().Y))
	incoming("9002", "while reading history")
	if !scrolledIntoView(conv, reading.id) || scrolledIntoView(conv, "9002") {
		t.Errorf("the reader was pulled down: %q in view %v", reading.text, scrolledIntoView(conv, reading.id))
	}
	if !onScreen(windowContent(a.chats.win), "New messages ↓") {
		t.Fatalf("no sign of the new message: %q", textsOnScreen(windowContent(a.chats.win)))
	}
	test.Tap(conv.newBelow)
	if !scrolledIntoView(conv, "9002") || onScreen(windowContent(a.chats.win), "New messages ↓") {
		t.Errorf("tapping New messages: 9002 in view %v, button still shown %v", scrolledIntoView(conv, "9002"),
			onScreen(windowContent(a.chats.win), "New messages ↓"))
	}
	conv.scroll.ScrollToOffset(fyne.NewPos(0, reading.row.box.Position().Y))
	a.chats.send(conv, "my own words")
	if last := conv.lines[len(conv.lines)-1]; last.text != "my own words" || !lineInView(conv, last) {
		t.Errorf("the sent message is not in view (offset %v)", conv.scroll.Offset)
	}
}

// lineInView is scrolledIntoView for a line that has no ID yet.
func lineInView(conv *conversation, l *chatLine) bool {
	top := l.row.box.Position().Y - conv.scroll.Offset.Y
	return top >= 0 && top+l.row.box.Size().Height <= conv.scroll.Size().Height
}
