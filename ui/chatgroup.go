package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Messages in a row from one sender, each within groupGap of the one
// before, read as one group: the name and time head the first only, as
// in Signal or Element. The user's own messages sit to the right, on a
// tinted bubble, so whose words are whose shows without reading names.

// groupGap is the longest pause inside a group.
const groupGap = 5 * time.Minute

// ownIndent is how far right the user's own messages sit.
const ownIndent = 48

// sameGroup reports whether l continues the group prev is in.
func sameGroup(prev, l *chatLine) bool {
	if prev == nil || prev.out != l.out || prev.state == lineMissed || l.state == lineMissed || !sameDay(prev.at, l.at) {
		return false
	}
	d := l.at.Sub(prev.at) // messages sent at once may come out of order
	return d >= -groupGap && d <= groupGap
}

// setHead makes the row head its group or continue one.
func (r *chatRow) setHead(head bool) {
	if r.head != head {
		r.head = head
		r.update(r.line)
	}
}

// metaText is the line above a message: when and who at the head of a
// group, and the state of the user's own message on every one.
func (r *chatRow) metaText(l *chatLine) string {
	var meta string
	if r.head {
		who := r.peer
		if l.out {
			who = "You"
		}
		meta = clock(l.at) + "  " + who
	}
	if !l.sentAt.IsZero() {
		meta = join(meta, "(sent "+sentClock(l.sentAt, l.at)+")")
	}
	return join(meta, stateText(l))
}

// join puts b after a, with a separator when both are there.
func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " · " + b
}

// stateText is where the user's own message is.
func stateText(l *chatLine) string {
	switch l.state {
	case linePending:
		return "sending…"
	case lineSent:
		return "sent ✓"
	case lineDelivered:
		return "delivered ✓✓"
	case lineRead:
		return readText(l.readAt)
	case lineStored:
		return "stored by the server for later delivery"
	case lineFailed:
		return "not delivered"
	}
	return ""
}

// ownSide puts one of the user's messages to the right, on its bubble.
func (r *chatRow) ownSide(content fyne.CanvasObject) fyne.CanvasObject {
	r.bubble = canvas.NewRectangle(bubbleColor(fyne.CurrentApp().Settings().ThemeVariant()))
	r.bubble.CornerRadius = theme.InputRadiusSize()
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(ownIndent, 0))
	return container.NewBorder(nil, nil, indent, nil, container.NewStack(r.bubble, content))
}

// bubbleColors are the tints behind the user's own messages: the theme's
// text stays at least 4.5:1 on them, links and failures 3:1, and they stand apart from the window's
// background (TestOwnBubbleReadable).
var bubbleColors = map[fyne.ThemeVariant]color.NRGBA{
	theme.VariantLight: {0xe3, 0xed, 0xfb, 0xff},
	theme.VariantDark:  {0x1c, 0x2a, 0x3d, 0xff},
}

func bubbleColor(v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		v = theme.VariantDark
	}
	return bubbleColors[v]
}
