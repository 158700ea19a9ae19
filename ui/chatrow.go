package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// chatRow renders one message: who and when, its state, the text (always
// plain text: never markup, never a link that runs anything), and a Retry
// button while it is failed.
type chatRow struct {
	meta  *widget.Label
	text  *widget.Label
	retry *widget.Button
	box   *fyne.Container
}

func newChatRow(conv *conversation, l *chatLine) *chatRow {
	r := &chatRow{meta: widget.NewLabel(""), text: widget.NewLabel(l.text)}
	r.meta.TextStyle = fyne.TextStyle{Italic: true}
	r.text.Wrapping = fyne.TextWrapWord
	r.text.Selectable = true
	r.retry = widget.NewButton("Retry", func() { conv.cw.retry(conv, l) })
	r.box = container.NewBorder(r.meta, nil, nil, r.retry, r.text)
	r.update(l)
	return r
}

func (r *chatRow) update(l *chatLine) {
	who := "them"
	if l.out {
		who = "you"
	}
	meta := clock(l.at) + "  " + who
	switch l.state {
	case linePending:
		meta += " · sending…"
	case lineSent:
		meta += " · sent ✓"
	case lineStored:
		meta += " · stored by the server for later delivery"
	case lineFailed:
		meta += " · not delivered: " + l.reason
	}
	r.meta.SetText(meta)
	if l.state == lineFailed {
		r.retry.Show()
	} else {
		r.retry.Hide()
	}
}
