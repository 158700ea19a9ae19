package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// A presence request the user put off is marked in the main window: the
// mark counts them, opens Privacy… at the list waiting for an answer, and
// is gone once they are answered.
func TestPutOffRequestMarked(t *testing.T) {
	a, core, _ := newTestApp(t)
	c := a.win.Canvas()
	pending := func(uri string) sipclient.Event {
		return sipclient.WatcherChanged{Peer: pid(uri), URI: uri, State: sipclient.WatcherPending}
	}
	mark := func() *widget.Button {
		var found *widget.Button
		walkOnScreen(windowContent(a.win), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b == a.laterBtn {
				found = b
			}
		})
		return found
	}
	if mark() != nil {
		t.Fatal("a mark with nothing waiting")
	}
	a.applyBatch([]sipclient.Event{pending("sip:eve@x.org"), pending("sip:trudy@x.org")})
	if mark() != nil {
		t.Fatal("a mark while the question is on screen")
	}
	pressKey(c, fyne.KeyEscape) // eve: put off
	pressKey(c, fyne.KeyEscape) // trudy: put off
	if b := mark(); b == nil || b.Text != "2 people wait for your answer" || topOverlay(a.win) != nil {
		t.Fatalf("mark after two put off: %v", b)
	}
	if w := windowContent(a.win).MinSize().Width; w > maxMinWidth {
		t.Errorf("the mark makes the main window ask for %.0f px", w)
	}
	tapButton(t, windowContent(a.win), "2 people wait for your answer")
	if top := topOverlay(a.win); top == nil || !onScreen(top, "Waiting for your answer") {
		t.Fatal("the mark did not open Privacy at the waiting list")
	}
	tapButton(t, topOverlay(a.win), "Answer…")
	if b := mark(); b == nil || b.Text != "1 person waits for your answer" {
		t.Fatalf("mark after one is asked again: %v", b)
	}
	tapButton(t, topOverlay(a.win), "Allow")
	tapButton(t, topOverlay(a.win), "Answer…")
	tapButton(t, topOverlay(a.win), "Block")
	if mark() != nil || core.decisions["sip:eve@x.org"] != sipclient.Allow || core.decisions["sip:trudy@x.org"] != sipclient.Block {
		t.Errorf("after both answered: mark %v, decisions %v", mark(), core.decisions)
	}
}
