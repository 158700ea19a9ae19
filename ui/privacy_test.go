package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// The Privacy dialog lists blocked senders and every answer about
// watchers. Unblock lets a sender through; Revoke on an allowed watcher
// forgets the answer and ends their subscription at once; Revoke on a
// blocked one asks the core to apply the book's rule again.
func TestPrivacyListsUnblockAndRevoke(t *testing.T) {
	a, core, _ := newTestApp(t)
	spam, eve, mal := pid("sip:spam@x.org"), pid("sip:eve@x.org"), pid("sip:mal@x.org")
	a.book.Block(spam)
	a.book.AnswerWatcher(eve, sipclient.Allow)
	a.book.AnswerWatcher(mal, sipclient.Block)
	tapButton(t, windowContent(a.win), "Privacy…")
	d := topOverlay(a.win)
	for _, s := range []string{"Blocked senders", "spam@x.org", "Who may see your status", "eve@x.org", "Allowed", "mal@x.org", "Blocked"} {
		if !onScreen(d, s) {
			t.Errorf("%q not in the Privacy dialog: %q", s, textsOnScreen(d))
		}
	}

	tapInRow(t, d, "eve@x.org", "Revoke")
	if !slices.Equal(core.ended, []identity.ID{eve}) {
		t.Errorf("subscriptions ended: %v", core.ended)
	}
	if _, ok := a.book.WatcherAnswers()[eve]; ok || onScreen(d, "eve@x.org") {
		t.Errorf("eve's answer kept: %v; shown: %q", a.book.WatcherAnswers(), textsOnScreen(d))
	}

	tapInRow(t, d, "mal@x.org", "Revoke")
	if core.decisions["sip:mal@x.org"] != sipclient.Ask || len(core.ended) != 1 {
		t.Errorf("revoking a block: decisions %v, ended %v", core.decisions, core.ended)
	}

	tapInRow(t, d, "spam@x.org", "Unblock")
	if a.book.SenderBlocked(spam) || !onScreen(d, "Nobody is blocked.") {
		t.Errorf("still blocked: %v; shown %q", a.book.Blocked(), textsOnScreen(d))
	}
}

// tapInRow taps the button labelled action in the Privacy row of addr.
func tapInRow(t *testing.T, o fyne.CanvasObject, addr, action string) {
	t.Helper()
	var row *fyne.Container
	walkOnScreen(o, func(x fyne.CanvasObject) {
		if c, ok := x.(*fyne.Container); ok && len(c.Objects) == 2 {
			if l, ok := c.Objects[0].(*widget.Label); ok && l.Text == addr {
				row = c
			}
		}
	})
	if row == nil {
		t.Fatalf("no row for %s: %q", addr, textsOnScreen(o))
	}
	tapButton(t, row, action)
}
