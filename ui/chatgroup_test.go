package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/sipclient"
)

// Messages from one sender a few minutes apart are shown under one name
// and time; a pause longer than groupGap, or the other side speaking,
// starts a new group. The user's own messages sit further right, on a
// bubble, and each still says where it is (sent ✓).
func TestChatGroupsMessages(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.Local)
	a.now = func() time.Time { return t0 }
	var evs []sipclient.Event
	for i, min := range []int{0, 1, 3, 10} {
		evs = append(evs, sipclient.MessageReceived{ID: sipclient.MessageID(i + 1), Peer: pid(laplace), From: laplace, Text: "line " + itoa(i), At: t0.Add(time.Duration(min) * time.Minute)})
	}
	a.applyBatch(evs)
	a.chats.send(conv, "mine one")
	a.chats.send(conv, "mine two")
	conv.lines[4].at, conv.lines[5].at = t0.Add(11*time.Minute), t0.Add(12*time.Minute)
	conv.rebuild()
	a.chats.win.Resize(fyne.NewSize(420, 600))
	shown := func(i int) bool {
		return onScreen(conv.lines[i].row.box, conv.lines[i].row.meta.Text) && conv.lines[i].row.meta.Visible()
	}
	heads := []bool{true, false, false, true, true, false}
	for i, want := range heads {
		if got := conv.lines[i].row.head; got != want {
			t.Errorf("line %d (%q): head %v, want %v (meta %q)", i, conv.lines[i].text, got, want, conv.lines[i].row.meta.Text)
		}
	}
	if m := conv.lines[0].row.meta.Text; m != "09:00  Laplace" || !shown(0) || conv.lines[1].row.meta.Visible() || conv.lines[2].row.meta.Visible() {
		t.Errorf("group head %q shown %v; the next ones show a name %v %v", m, shown(0), conv.lines[1].row.meta.Visible(), conv.lines[2].row.meta.Visible())
	}
	if m := conv.lines[5].row.meta.Text; m != "sending…" || !shown(5) {
		t.Errorf("own message in a group says %q (shown %v), want only its state", m, shown(5))
	}
	theirs, mine := conv.lines[0].row, conv.lines[4].row
	drv := fyne.CurrentApp().Driver()
	if dx := drv.AbsolutePositionForObject(mine.body).X - drv.AbsolutePositionForObject(theirs.body).X; dx < ownIndent {
		t.Errorf("own message only %.0f px right of the contact's", dx)
	}
	if mine.bubble == nil || !mine.bubble.Visible() || mine.bubble.FillColor != bubbleColor(fyne.CurrentApp().Settings().ThemeVariant()) || theirs.bubble != nil {
		t.Errorf("own message has no bubble, or the contact's has one")
	}
}

// The bubble keeps the theme's text, links and failures readable, and
// stands apart from the background, in the light and the dark theme.
func TestOwnBubbleReadable(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		th, b := theme.DefaultTheme(), bubbleColor(v)
		for _, c := range []struct {
			name fyne.ThemeColorName
			min  float64
		}{{theme.ColorNameForeground, 4.5}, {theme.ColorNameHyperlink, 3}, {theme.ColorNameError, 3}, {theme.ColorNameBackground, 1.15}} {
			if r := contrast(th.Color(c.name, v), b); r < c.min {
				t.Errorf("variant %d: %s on the bubble: contrast %.2f, want %.2f", v, c.name, r, c.min)
			}
		}
	}
}

// Messages sent together may come out of order by a few seconds; they
// still make one group. A day's change or a missed call starts a new one.
func TestSameGroup(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 23, 58, 0, 0, time.Local)
	in := func(at time.Time) *chatLine { return &chatLine{at: at, state: lineReceived} }
	for _, tc := range []struct {
		prev, l *chatLine
		want    bool
	}{
		{in(t0), in(t0.Add(-10 * time.Second)), true},
		{in(t0), in(t0.Add(groupGap + time.Second)), false},
		{in(t0), &chatLine{at: t0, out: true, state: lineSent}, false},
		{in(t0), &chatLine{at: t0, state: lineMissed}, false},
		{in(t0), in(t0.Add(3 * time.Minute)), false}, // after midnight
		{nil, in(t0), false},
	} {
		if got := sameGroup(tc.prev, tc.l); got != tc.want {
			t.Errorf("sameGroup(%v, %v) = %v", tc.prev, tc.l.at, got)
		}
	}
}
