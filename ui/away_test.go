package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
)

// The automatic Away shows as "Away (idle)" without publishing anything;
// its end shows the user's status again; a status picked by hand while
// it lasts is published and takes the entry out of the menu.
func TestAutoAwayInStatusMenu(t *testing.T) {
	a, core, _ := newTestApp(t)
	away := sipclient.Presence{Status: sipclient.StatusAway, Note: "lunch"}
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: away, Auto: true}})
	if a.status.Selected != autoAwayLabel || !hasText(a.win, autoAwayLabel) {
		t.Fatalf("menu shows %q; want %q", a.status.Selected, autoAwayLabel)
	}
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAvailable}}})
	if a.status.Selected != "Available" || len(a.status.Options) != len(statusChoices) {
		t.Fatalf("after: menu %q, %d entries", a.status.Selected, len(a.status.Options))
	}
	if len(core.presence) != 0 {
		t.Fatalf("the UI published %v for what the core did", core.presence)
	}
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: away, Auto: true}})
	a.status.SetSelected("Busy") // the user picks Busy
	if len(core.presence) != 1 || core.presence[0].Status != sipclient.StatusBusy {
		t.Fatalf("published %v; want Busy", core.presence)
	}
	if len(a.status.Options) != len(statusChoices) {
		t.Errorf("the automatic entry stays in the menu: %v", a.status.Options)
	}
}

// A note typed under the automatic Away keeps the user's own status.
func TestNoteUnderAutoAway(t *testing.T) {
	a, core, _ := newTestApp(t)
	core.own = sipclient.Presence{Status: sipclient.StatusAvailable} // the user's choice, as the core keeps it
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAway}, Auto: true}})
	test.Type(a.note, "back soon")
	a.note.OnSubmitted(a.note.Text)
	if len(core.presence) != 1 || core.presence[0] != (sipclient.Presence{Status: sipclient.StatusAvailable, Note: "back soon"}) {
		t.Fatalf("published %v; want Available with the note", core.presence)
	}
}

// After a wake-up a contact's presence reads "(checking…)" until its
// fresh NOTIFY: never an old Available shown as fresh.
func TestStalePresenceReadsChecking(t *testing.T) {
	a, _, _ := newTestApp(t)
	open := sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicOpen, At: time.Now()}
	a.applyBatch([]sipclient.Event{open})
	a.applyBatch([]sipclient.Event{sipclient.PresenceStale{Peer: pid(euler), URI: euler, At: time.Now()}})
	if !hasText(a.win, "Available (checking…)") {
		t.Fatalf("stale roster: %q", texts(a.win))
	}
	a.applyBatch([]sipclient.Event{open})
	if hasText(a.win, "Available (checking…)") || !hasText(a.win, "Available") {
		t.Fatalf("fresh roster: %q", texts(a.win))
	}
}

// Where the desktop tells nothing, the window says so instead of
// guessing.
func TestAwayUnavailableSaid(t *testing.T) {
	fa := newTestFyneApp(t)
	const says = "Parley cannot tell when you are away on this desktop, so your status does not change by itself."
	a := New(fa, newFakeCore(), newTestBook(t), Options{AwayUnavailable: says})
	a.win.Resize(fyne.NewSize(400, 600))
	a.win.Show()
	if !hasText(a.win, says) {
		t.Fatalf("window: %q", texts(a.win))
	}
}
