package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/sipclient"
)

// The status menu and note start at what the core restored, and nothing
// is published again: "Appear offline" stays offline from the first moment.
func TestStatusStartsAtRestoredPresence(t *testing.T) {
	fa := newTestFyneApp(t)
	core := newFakeCore()
	core.own = sipclient.Presence{Status: sipclient.StatusOffline, Note: "back Monday"}
	a := New(fa, core, newTestBook(t), Options{Notify: func(string, string) {}})
	if a.status.Selected != "Appear offline" || a.note.Text != "back Monday" {
		t.Errorf("status %q, note %q", a.status.Selected, a.note.Text)
	}
	if len(core.presence) != 0 {
		t.Errorf("published at start: %+v", core.presence)
	}
}

// Unread counts survive a restart: a second App on the same preferences
// shows the badge the first one had.
func TestUnreadCountsComeBack(t *testing.T) {
	fa := newTestFyneApp(t)
	book := newTestBook(t)
	first := New(fa, newFakeCore(), book, Options{Notify: func(string, string) {}})
	// Background work inline, as newTestApp does: the test driver runs
	// fyne.Do on the calling goroutine, so a chat's history loaded in the
	// background would measure text beside this goroutine (a data race,
	// once a fatal concurrent map write in the driver's font cache).
	inline := func(f func()) { f() }
	first.bg = inline
	first.inFront = false
	for i := range 2 {
		first.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(laplace), From: laplace,
			Text: "ping", CallID: "u" + itoa(i), At: time.Now()}})
	}
	if !hasText(first.win, "2 new") {
		t.Fatalf("badge before restart: %q", texts(first.win))
	}
	second := New(fa, newFakeCore(), book, Options{Notify: func(string, string) {}})
	second.bg = inline
	second.win.Resize(fyne.NewSize(400, 600))
	second.win.Show()
	if !hasText(second.win, "2 new") {
		t.Errorf("badge after restart: %q", texts(second.win))
	}
	second.openChat(second.contacts[pid(laplace)])
	third := New(fa, newFakeCore(), book, Options{Notify: func(string, string) {}})
	third.bg = inline
	if third.contacts[pid(laplace)].unread != 0 {
		t.Errorf("read messages counted unread again after restart")
	}
}
