package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chatRow renders one message: who and when (only at the head of a group,
// chatgroup.go), its state, the text (plain text: never markup; links
// are clickable, chatlinks.go), a warning when the core has one about it,
// and Retry and Delete buttons while it is failed. The user's own
// messages sit to the right on a tinted bubble. A missed call is one
// centred line instead.
type chatRow struct {
	line   *chatLine
	head   bool // first of a group: shows who and when
	meta   *widget.Label
	text   *widget.Label // the whole text, or (a message with links) nil
	body   fyne.CanvasObject
	bubble *canvas.Rectangle // behind the user's own messages
	retry  *widget.Button
	del    *widget.Button
	fail   *failureLine    // why a failed message was not delivered, in words; made on first failure
	below  *fyne.Container // under the text: the warning, the failure
	win    func() fyne.Window
	mark   *canvas.Rectangle // behind the row once a search jumped to it
	box    *fyne.Container
	peer   string // the contact's name, for incoming rows
}

func newChatRow(conv *conversation, l *chatLine) *chatRow {
	r := &chatRow{line: l, head: true, meta: widget.NewLabel(""), peer: conv.contact.displayName()}
	r.meta.TextStyle = fyne.TextStyle{Italic: true}
	if parts := splitLinks(l.text); l.state != lineMissed && (len(parts) > 1 || len(parts) == 1 && parts[0].link) {
		r.body = messageBody(parts, func(link string) { conv.cw.app.openLink(link, conv.cw.win) })
	} else {
		r.text = widget.NewLabel(breakLongParagraphs(l.text))
		r.text.Wrapping = fyne.TextWrapWord
		r.text.Selectable = true
		r.body = r.text
	}
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
	var content fyne.CanvasObject = container.NewBorder(r.meta, r.below, nil, actions, r.body)
	if l.out {
		content = r.ownSide(content)
	}
	r.box = container.NewStack(content) // a stack, so a mark can go behind
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
	if r.bubble != nil {
		r.bubble.Hidden = on // it would hide the mark
	}
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
	r.meta.SetText(r.metaText(l))
	if r.meta.Text != "" {
		r.meta.Show()
	} else {
		r.meta.Hide()
	}
	if r.bubble != nil {
		r.bubble.FillColor = bubbleColor(fyne.CurrentApp().Settings().ThemeVariant()) // the theme may have changed
	}
	if l.state == lineFailed {
		if r.fail == nil {
			r.fail = newFailureLine(r.win)
			r.below.Add(r.fail.box)
			r.below.Show()
		}
		r.fail.set(failedText(l, r.peer), l.fail.Detail)
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
