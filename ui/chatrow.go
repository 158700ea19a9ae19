package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chatRow renders one message: who and when, its state, the text (always
// plain text: never markup, never a link that runs anything), a warning
// when the core has one about it, and Retry and Delete buttons while it is
// failed. A missed call is one centred line instead.
type chatRow struct {
	meta  *widget.Label
	text  *widget.Label
	retry *widget.Button
	del   *widget.Button
	fail  *failureLine    // why a failed message was not delivered, in words; made on first failure
	below *fyne.Container // under the text: the warning, the failure
	win   func() fyne.Window
	mark  *canvas.Rectangle // behind the row once a search jumped to it
	box   *fyne.Container
	peer  string // the contact's name, for incoming rows
}

func newChatRow(conv *conversation, l *chatLine) *chatRow {
	r := &chatRow{meta: widget.NewLabel(""), text: widget.NewLabel(breakLongParagraphs(l.text)), peer: conv.contact.displayName()}
	r.meta.TextStyle = fyne.TextStyle{Italic: true}
	r.text.Wrapping = fyne.TextWrapWord
	r.text.Selectable = true
	r.retry = widget.NewButton("Retry", func() { conv.cw.retry(conv, l) })
	r.del = widget.NewButton("Delete", func() { conv.cw.deleteLine(conv, l) })
	actions := container.NewHBox(r.retry, r.del)
	r.win = func() fyne.Window { return conv.cw.win }
	r.below = container.NewVBox()
	if l.warning != "" {
		r.below.Add(warningLabel(l.warning))
	}
	r.below.Hidden = len(r.below.Objects) == 0 // an empty one would still take a padding
	if l.state == lineMissed {
		r.text.Alignment = fyne.TextAlignCenter
		r.text.TextStyle = fyne.TextStyle{Italic: true}
		r.text.Importance = widget.DangerImportance
	}
	r.box = container.NewStack(container.NewBorder(r.meta, r.below, nil, actions, r.text)) // a stack, so a mark can go behind
	r.update(l)
	return r
}

// warningLabel tells the user, under a message, what the core found
// wrong with where it claims to come from.
func warningLabel(words string) *widget.Label {
	w := widget.NewLabel("Warning: " + sentence(words))
	w.Wrapping = fyne.TextWrapWord
	w.Importance = widget.WarningImportance
	return w
}

// setMarked shows or hides the search mark; the rectangle is made on first
// use, since few rows are ever jumped to.
func (r *chatRow) setMarked(on bool) {
	if r.mark == nil {
		if !on {
			return
		}
		r.mark = canvas.NewRectangle(nil)
		r.mark.CornerRadius = theme.InputRadiusSize()
		r.box.Objects = append([]fyne.CanvasObject{r.mark}, r.box.Objects...)
	}
	r.mark.FillColor = theme.Color(theme.ColorNameSelection) // the theme may have changed
	r.mark.Hidden = !on
	r.box.Refresh()
}

func (r *chatRow) update(l *chatLine) {
	if l.state == lineMissed {
		r.meta.Hide()
		r.retry.Hide()
		r.del.Hide()
		r.text.SetText(missedCallText(r.peer, l.at))
		return
	}
	who := r.peer
	if l.out {
		who = "You"
	}
	meta := clock(l.at)
	if !l.sentAt.IsZero() {
		meta += " (sent " + sentClock(l.sentAt, l.at) + ")"
	}
	meta += "  " + who
	switch l.state {
	case linePending:
		meta += " · sending…"
	case lineSent:
		meta += " · sent ✓"
	case lineDelivered:
		meta += " · delivered ✓✓"
	case lineRead:
		meta += " · " + readText(l.readAt)
	case lineStored:
		meta += " · stored by the server for later delivery"
	case lineFailed:
		meta += " · not delivered"
		if r.fail == nil {
			r.fail = newFailureLine(r.win)
			r.below.Add(r.fail.box)
			r.below.Show()
		}
		r.fail.set(failedText(l, r.peer), l.fail.Detail)
	}
	r.meta.SetText(meta)
	if l.state == lineFailed {
		r.retry.Show()
		r.del.Show()
		r.fail.box.Show()
	} else {
		r.retry.Hide()
		r.del.Hide()
		if r.fail != nil {
			r.fail.box.Hide()
		}
	}
}

// sentClock is when the peer says it sent a message that came at: the
// time of day, and the day too when it is another.
func sentClock(sent, at time.Time) string {
	if sameDay(sent, at) {
		return clock(sent)
	}
	return sent.Format("2 Jan 15:04")
}

// failedText is why a message was not delivered, and when the core sends
// it again by itself if it will.
func failedText(l *chatLine, peer string) string {
	s := failureWords(l.fail, peerParty(peer))
	if !l.retryAt.IsZero() {
		s += " Parley tries again at " + clock(l.retryAt) + "."
	}
	return s
}
