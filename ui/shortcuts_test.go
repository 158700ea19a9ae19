package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Ctrl+F in the chat input goes to the conversation's search; Escape there
// clears it; Ctrl+PageDown goes to the next tab and Ctrl+W closes it.
func TestChatShortcuts(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(poisson)])
	a.openChat(a.contacts[pid(laplace)])
	cw := a.chats
	lap := cw.convs[pid(laplace)]
	if cw.win.Canvas().Focused() != lap.entry {
		t.Fatalf("focus on %v, want Laplace's input", cw.win.Canvas().Focused())
	}
	lap.entry.TypedShortcut(shortcutFind) // typed while the input has focus
	if cw.win.Canvas().Focused() != lap.find.entry {
		t.Fatalf("Ctrl+F: focus on %v, want the conversation search", cw.win.Canvas().Focused())
	}
	test.Type(lap.find.entry, "lemma")
	if !lap.find.view.Visible() {
		t.Fatal("typing did not search")
	}
	lap.find.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if lap.find.entry.Text != "" || lap.find.view.Visible() {
		t.Errorf("Escape left %q, hits shown %v", lap.find.entry.Text, lap.find.view.Visible())
	}

	lap.entry.TypedShortcut(shortcutNextTab)
	if f := cw.front(); f == nil || f.contact.URI != poisson || cw.win.Canvas().Focused() != f.entry {
		t.Fatalf("Ctrl+PageDown: front %v", f)
	}
	cw.front().entry.TypedShortcut(shortcutCloseTab)
	if len(cw.tabs.Items) != 1 || cw.front() != lap || cw.convs[pid(poisson)].tab != nil {
		t.Errorf("Ctrl+W: %d tabs, front %v", len(cw.tabs.Items), cw.front())
	}
	if lap.entry.TypedShortcut(shortcutPrevTab); cw.front() != lap {
		t.Errorf("Ctrl+PageUp with one tab left: front %v", cw.front())
	}
}

// In the main window Ctrl+F goes to the search across conversations, even
// from the contact filter, and Ctrl+N asks for a new contact.
func TestMainShortcuts(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.win.Canvas().Focus(a.filter)
	a.filter.TypedShortcut(shortcutFind)
	if a.win.Canvas().Focused() != a.find.entry {
		t.Fatalf("Ctrl+F: focus on %v", a.win.Canvas().Focused())
	}
	a.find.entry.TypedShortcut(shortcutAdd)
	if o := topOverlay(a.win); o == nil || !onScreen(o, "Add contact") {
		t.Errorf("Ctrl+N did not open the add-contact dialog")
	}
}
