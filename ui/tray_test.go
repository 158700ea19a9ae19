package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/assets"
	"github.com/parley-im/parley/sipclient"
)

// trayRecorder stands for the desktop's tray: it keeps every icon set.
type trayRecorder struct{ set []fyne.Resource }

func (r *trayRecorder) last() fyne.Resource { return r.set[len(r.set)-1] }

func newTrayApp(t *testing.T) (*App, *trayRecorder) {
	t.Helper()
	a, _, _ := newTestApp(t)
	rec := &trayRecorder{}
	a.showTrayIcons(assets.TrayIcon, func(r fyne.Resource) { rec.set = append(rec.set, r) })
	return a, rec
}

func decode(t *testing.T, r fyne.Resource) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(r.Content()))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// at is the colour at a point given as fractions of the icon's side.
func at(img image.Image, fx, fy float64) color.NRGBA {
	side := float64(img.Bounds().Dx())
	return color.NRGBAModel.Convert(img.At(int(fx*side), int(fy*side))).(color.NRGBA)
}

// The tray icon follows the own status: the corner mark has the roster's
// colour and shape for it (filled for Available, a square for Busy and
// Do not disturb, a hollow ring for Appear offline, half filled for Away).
func TestTrayIconShowsOwnStatus(t *testing.T) {
	a, rec := newTrayApp(t)
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	light := dotColors[theme.VariantLight] // the light variant's, which read on the icon's white disc
	for _, tc := range []struct {
		status       sipclient.Status
		centre, left color.NRGBA
		right        color.NRGBA
	}{
		{sipclient.StatusAvailable, light[availOnline], light[availOnline], light[availOnline]},
		{sipclient.StatusBusy, light[availBusy], light[availBusy], light[availBusy]},
		{sipclient.StatusDND, light[availBusy], light[availBusy], light[availBusy]},
		{sipclient.StatusAway, light[availAway], light[availAway], white},
		{sipclient.StatusOffline, white, white, white},
	} {
		a.status.SetSelectedIndex(statusIndex(tc.status))
		img := decode(t, rec.last())
		if got := at(img, markX, markY); got != tc.centre {
			t.Errorf("%s: mark centre %v, want %v", tc.status, got, tc.centre)
		}
		if got := at(img, markX-0.07, markY); got != tc.left {
			t.Errorf("%s: left of the centre %v, want %v", tc.status, got, tc.left)
		}
		if got := at(img, markX+0.07, markY); got != tc.right {
			t.Errorf("%s: right of the centre %v, want %v", tc.status, got, tc.right)
		}
	}
	if got := at(decode(t, rec.last()), markX+markInner-0.02, markY); got != light[availOffline] {
		t.Errorf("offline ring %v, want grey %v", got, light[availOffline])
	}
}

// An unread message puts a red dot on the icon; reading it takes the dot
// away. The icon is set only when what it shows changes, and a state seen
// before reuses its drawn icon.
func TestTrayIconShowsUnread(t *testing.T) {
	a, rec := newTrayApp(t)
	first := rec.last()
	if got := at(decode(t, first), unreadX, unreadY); got == unreadColor {
		t.Fatalf("unread dot with nothing unread")
	}
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(laplace), From: laplace, Text: "hi", ID: 1}})
	a.inFront = false // as if the user were elsewhere
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(euler), From: euler, Text: "hi", ID: 2}})
	if got := at(decode(t, rec.last()), unreadX, unreadY); got != unreadColor {
		t.Fatalf("unread dot %v, want %v", got, unreadColor)
	}
	n := len(rec.set)
	a.refreshRoster()
	a.refreshRoster()
	if len(rec.set) != n {
		t.Errorf("icon set %d times with no change", len(rec.set)-n)
	}
	for _, c := range a.contacts {
		a.openChat(c)
	}
	if rec.last() != first {
		t.Errorf("after reading, the icon is not the first one again (cached)")
	}
}

// BenchmarkTrayIconDraw is what drawing and encoding one icon costs: paid
// once per state, never per event.
func BenchmarkTrayIconDraw(b *testing.B) {
	icons, err := newTrayIcons(assets.TrayIcon)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		clear(icons.cache)
		icons.icon(trayState{mark: availability(i % 4), unread: i%2 == 0})
	}
}

// BenchmarkTrayUpdateUnchanged is what each roster refresh pays for the
// tray when its state did not change.
func BenchmarkTrayUpdateUnchanged(b *testing.B) {
	a, _, _ := newTestApp(b)
	set := 0
	a.showTrayIcons(assets.TrayIcon, func(fyne.Resource) { set++ })
	for b.Loop() {
		a.updateTray()
	}
	if set != 1 {
		b.Fatalf("icon set %d times", set)
	}
}

// The automatic Away shows in the tray as Away, and its end as the
// status the user chose, though the user's choice never changed.
func TestTrayIconFollowsAutoAway(t *testing.T) {
	a, rec := newTrayApp(t)
	light := dotColors[theme.VariantLight]
	a.status.SetSelectedIndex(statusIndex(sipclient.StatusAvailable))
	a.showAutoAway(sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAway}, Auto: true})
	if got := at(decode(t, rec.last()), markX+0.07, markY); got != (color.NRGBA{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf("auto-away: right of the mark %v, want the away half-disc's white", got)
	}
	a.showAutoAway(sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAvailable}})
	if got := at(decode(t, rec.last()), markX+0.07, markY); got != light[availOnline] {
		t.Errorf("back from auto-away: right of the mark %v, want available %v", got, light[availOnline])
	}
}

// Choosing a status while the automatic Away is shown ends it in the
// tray too: the tray shows the status chosen, not Away, from then on.
func TestTrayAfterChoosingDuringAutoAway(t *testing.T) {
	a, rec := newTrayApp(t)
	light := dotColors[theme.VariantLight]
	a.status.SetSelectedIndex(statusIndex(sipclient.StatusAvailable))
	a.showAutoAway(sipclient.OwnPresenceChanged{Presence: sipclient.Presence{Status: sipclient.StatusAway}, Auto: true})
	a.status.SetSelectedIndex(statusIndex(sipclient.StatusBusy))
	if got := at(decode(t, rec.last()), markX+0.07, markY); got != light[availBusy] {
		t.Errorf("after choosing Busy under the automatic Away the tray shows %v, want busy %v", got, light[availBusy])
	}
}
