package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/sipclient"
)

// The tab and the header of a chat show the contact's presence mark,
// status and note, and follow each change as it comes.
func TestChatShowsLivePresence(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	if conv.tab.Text != "Laplace · Unknown" || !tabMarked(conv, availUnknown) || !onScreen(conv.header.box, "Unknown") {
		t.Errorf("before any presence: tab %q, header %q", conv.tab.Text, textsOnScreen(conv.header.box))
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, Activity: "away", Note: "In the lab until five, then at the seminar", At: time.Now()}})
	if conv.tab.Text != "Laplace · Away: In the lab until five, …" || !tabMarked(conv, availAway) {
		t.Errorf("away: tab %q", conv.tab.Text)
	}
	if !onScreen(conv.header.box, "Laplace") || !onScreen(conv.header.box, "Away — In the lab until five, then at the seminar") ||
		conv.header.mark.Resource != markResource(availAway, currentVariant()) {
		t.Errorf("away: header %q, mark %s", textsOnScreen(conv.header.box), conv.header.mark.Resource.Name())
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, At: time.Now()}})
	if conv.tab.Text != "Laplace · Available" || !tabMarked(conv, availOnline) || !onScreen(conv.header.box, "Available") || onScreen(conv.header.box, "seminar") {
		t.Errorf("back: tab %q, header %q", conv.tab.Text, textsOnScreen(conv.header.box))
	}
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: "hi", At: time.Now()}})
	a.chats.tabs.Select(a.chats.conversationFor(a.contacts[pid(euler)]).tab)
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 2, Peer: pid(laplace), From: laplace, Text: "hi", At: time.Now()}})
	if !strings.HasPrefix(conv.tab.Text, "Laplace · Available (") {
		t.Errorf("unread: tab %q", conv.tab.Text)
	}
}

// tabMarked tells whether conv's tab shows mark av (its icon).
func tabMarked(conv *conversation, av availability) bool {
	return conv.tab.Icon == markResource(av, currentVariant())
}

// The header's presence mark sits on the name's line, also for an
// unknown contact ("?") whose status runs over several lines, in both
// themes.
func TestChatHeaderMarkOnNameLine(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	a.chats.win.Resize(fyne.NewSize(400, 600))
	for _, variant := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		a.fa.Settings().SetTheme(theme.LightTheme()) //lint:ignore SA1019 a variant as a whole theme, for the test app
		if variant == theme.VariantDark {
			a.fa.Settings().SetTheme(theme.DarkTheme()) //lint:ignore SA1019 as above
		}
		c := a.contacts[pid(laplace)]
		c.note = strings.Repeat("A long note over several lines. ", 8)
		conv.header.show(c)
		a.chats.win.Content().Refresh()
		a.chats.win.Resize(fyne.NewSize(401, 600)) // lays out again
		a.chats.win.Resize(fyne.NewSize(400, 600))
		d := fyne.CurrentApp().Driver()
		mark := d.AbsolutePositionForObject(conv.header.mark).Y + conv.header.mark.MinSize().Height/2
		name := d.AbsolutePositionForObject(conv.header.name)
		if conv.header.mark.Resource != markResource(availUnknown, currentVariant()) || mark < name.Y || mark > name.Y+conv.header.name.Size().Height {
			t.Errorf("variant %d: mark %s centred at %.0f, the name's line is %.0f–%.0f", variant, conv.header.mark.Resource.Name(), mark, name.Y, name.Y+conv.header.name.Size().Height)
		}
		if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
			img := a.chats.win.Canvas().Capture()
			f, err := os.Create(filepath.Join(dir, "chat-header-"+strconv.Itoa(int(variant))+".png"))
			if err == nil {
				_ = png.Encode(f, img)
				f.Close()
			}
		}
	}
}
