package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// The two privacy switches are on by default, reach the core at start and
// on change, and are kept: a new App on the same preferences (the next
// run) starts with them.
func TestPrivacyChoicesKeptAndApplied(t *testing.T) {
	a, core, _ := newTestApp(t)
	on := sipclient.IMPrefs{TypingNotices: true, ReadReceipts: true}
	if !slices.Equal(core.imPrefs, []sipclient.IMPrefs{on}) {
		t.Fatalf("at start the core got %+v", core.imPrefs)
	}
	tapButton(t, windowContent(a.win), "Privacy…")
	d := topOverlay(a.win)
	typing, read := findCheck(t, d, "Send typing notifications"), findCheck(t, d, "Send read receipts")
	if !typing.Checked || !read.Checked {
		t.Fatalf("defaults: typing %v, read %v", typing.Checked, read.Checked)
	}
	test.Tap(read)
	want := sipclient.IMPrefs{TypingNotices: true, ReadReceipts: false}
	if core.imPrefs[len(core.imPrefs)-1] != want {
		t.Errorf("after turning read receipts off the core has %+v", core.imPrefs)
	}

	core2 := newFakeCore()
	b := New(a.fa, core2, a.book, Options{})
	if !slices.Equal(core2.imPrefs, []sipclient.IMPrefs{want}) {
		t.Errorf("the next run gave the core %+v", core2.imPrefs)
	}
	b.win.Show()
	b.showPrivacy()
	d = topOverlay(b.win)
	if typing, read := findCheck(t, d, "Send typing notifications"), findCheck(t, d, "Send read receipts"); !typing.Checked || read.Checked {
		t.Errorf("the next run shows typing %v, read %v", typing.Checked, read.Checked)
	}
}

func findCheck(t *testing.T, o fyne.CanvasObject, text string) *widget.Check {
	t.Helper()
	var found *widget.Check
	walkOnScreen(o, func(x fyne.CanvasObject) {
		if kc, ok := x.(*keyCheck); ok {
			x = &kc.Check
		}
		if c, ok := x.(*widget.Check); ok && c.Text == text {
			found = c
		}
	})
	if found == nil {
		t.Fatalf("no switch %q on screen", text)
	}
	return found
}
