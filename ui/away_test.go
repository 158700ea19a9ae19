package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/assets"
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

// A contact whose device says they left it reads "Away (idle since …)",
// from the last input their PIDF gives; without it, "Away (idle)".
func TestIdleContactReadsAwaySince(t *testing.T) {
	a, _, _ := newTestApp(t)
	since := time.Now().Add(-10 * time.Minute)
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicOpen,
		Activity: "away", Idle: true, IdleSince: since, At: time.Now()}})
	want := "Away (idle since " + seenAt(since, time.Now()) + ")"
	if !hasText(a.win, want) {
		t.Fatalf("roster: want %q in %q", want, texts(a.win))
	}
	if d := diagnosticsText(a.contacts[pid(euler)], time.Now()); !strings.Contains(d, want+", as their device says") {
		t.Errorf("Presence details:\n%s", d)
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicOpen, Idle: true, At: time.Now()}})
	if !hasText(a.win, "Away (idle)") {
		t.Fatalf("idle without activity or time: %q", texts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicOpen, At: time.Now()}})
	if hasText(a.win, "Away (idle)") || !hasText(a.win, "Available") {
		t.Fatalf("back: %q", texts(a.win))
	}
}

// awaySelect is the auto-away choice in the open settings dialog.
func awaySelect(t *testing.T, a *App) *keySelect {
	t.Helper()
	var found *keySelect
	walkOnScreen(topOverlay(a.win), func(o fyne.CanvasObject) {
		if s, ok := o.(*keySelect); ok && s.Options[0] == "Off" {
			found = s
		}
	})
	if found == nil {
		t.Fatal("no auto-away choice in the settings")
	}
	return found
}

// The settings offer Off, 5, 10, 15 and 30 minutes with the threshold in
// force chosen; a choice goes to the core (which saves and applies it);
// a threshold from --idle-away shows as one more choice.
func TestAutoAwaySetting(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.showPrivacy()
	sel := awaySelect(t, a)
	if want := []string{"Off", "5 min", "10 min", "15 min", "30 min"}; !slices.Equal(sel.Options, want) || sel.Selected != "5 min" {
		t.Fatalf("choices %q, selected %q", sel.Options, sel.Selected)
	}
	sel.SetSelected("15 min")
	sel.SetSelected("Off")
	if !slices.Equal(core.awaySet, []time.Duration{15 * time.Minute, 0}) {
		t.Fatalf("core told %v", core.awaySet)
	}
	pressKey(a.win.Canvas(), fyne.KeyEscape)
	core.awayAfter = 3 * time.Second
	a.showPrivacy()
	if sel := awaySelect(t, a); sel.Selected != "3s" || len(sel.Options) != 6 {
		t.Errorf("the flag's threshold: %q of %q", sel.Selected, sel.Options)
	}
}

// The tray menu ticks the status in force, and shows the automatic Away
// as its own (inert) entry while it lasts. Set up as the app does, with
// the icon too (whose setup once dropped the menu's hook, so the tick
// stayed on Available for good).
func TestTrayMenuShowsAutoAway(t *testing.T) {
	a, _, _ := newTestApp(t)
	var menus []*fyne.Menu
	a.setupTray(assets.TrayIcon, func(m *fyne.Menu) { menus = append(menus, m) }, func(fyne.Resource) {})
	ticked := func() []string {
		var out []string
		for _, it := range menus[len(menus)-1].Items {
			if it.Checked {
				out = append(out, it.Label)
			}
		}
		return out
	}
	if got := ticked(); !slices.Equal(got, []string{"Available"}) {
		t.Fatalf("ticked %q", got)
	}
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAway}, Auto: true}})
	if got := ticked(); !slices.Equal(got, []string{autoAwayLabel}) {
		t.Fatalf("under the automatic Away ticked %q", got)
	}
	a.applyBatch([]sipclient.Event{sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAvailable}}})
	if got := ticked(); !slices.Equal(got, []string{"Available"}) {
		t.Errorf("after it ticked %q", got)
	}
}
