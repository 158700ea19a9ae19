package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// No timer saves a size behind a test's back: tests save when they choose.
// Nor does a Copy button go back to "Copy" by itself.
func init() {
	copiedLater = func(func()) {}
}

// A window the user resized opens at that size next time. The size is
// written when the window closes or the app goes to the background or
// stops, not at every resize.
func TestWindowSizesRemembered(t *testing.T) {
	a, _, _ := newTestApp(t)
	p := a.fa.Preferences()
	a.openChat(a.contacts[pid(laplace)])
	cw := a.chats
	for w := float32(500); w <= 700; w += 50 { // a drag
		cw.win.Resize(fyne.NewSize(w, 610))
	}
	if p.Float(prefChatSize+".width") != 0 {
		t.Fatalf("the size was written while the window was being resized")
	}
	a.saveSizes() // the app went to the background
	if p.Float(prefChatSize+".width") != 700 || p.Float(prefChatSize+".height") != 610 {
		t.Fatalf("saved %v×%v", p.Float(prefChatSize+".width"), p.Float(prefChatSize+".height"))
	}
	cw.win.Resize(fyne.NewSize(640, 500))
	cw.win.Close() // closing writes the size
	a.openChat(a.contacts[pid(euler)])
	if got := cw.win.Canvas().Size(); got != fyne.NewSize(640, 500) {
		t.Errorf("the chat window reopened at %v", got)
	}

	a.win.Resize(fyne.NewSize(380, 700))
	a.saveSizes()
	b := New(a.fa, newFakeCore(), newTestBook(t), Options{}) // the next start
	if got := b.win.Canvas().Size(); got != fyne.NewSize(380, 700) {
		t.Errorf("the main window opened at %v", got)
	}
}
