package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// A chat says, live, who the contact is and how they are: the tab has
// the presence mark, the name and the status (and the note, cut short);
// the header over the messages has the mark in its colour, the name and
// the status with the whole note, wrapped.

// tabNoteRunes is the most of the note a tab title shows.
const tabNoteRunes = 24

// chatHeader is the line over a conversation's messages.
type chatHeader struct {
	mark   *canvas.Image
	name   *widget.Label
	status *wrappedLabel
	box    *fyne.Container
}

func newChatHeader() *chatHeader {
	h := &chatHeader{mark: newMark(headerMarkSide), name: widget.NewLabel(""), status: wrapLabel("")}
	h.name.TextStyle = fyne.TextStyle{Bold: true}
	h.name.Truncation = fyne.TextTruncateEllipsis // a 64-letter name must not widen the window
	h.status.minWidth = 200
	// The mark is centred on the name's line, not on the whole header: a
	// status of two lines or more put it beside the status.
	line := canvas.NewRectangle(color.Transparent)
	line.SetMinSize(fyne.NewSize(0, h.name.MinSize().Height))
	mark := container.NewVBox(container.NewStack(line, container.NewCenter(h.mark)))
	h.box = container.NewBorder(nil, nil, mark, nil, container.NewVBox(h.name, h.status))
	return h
}

// show puts c's presence in the header.
func (h *chatHeader) show(c *contactState) {
	setMark(h.mark, c.availability())
	h.name.SetText(c.displayName())
	h.status.SetText(c.statusLine())
}

// headerMarkSide is how big the presence mark over a chat is.
const headerMarkSide = 16

// tabTitle is a conversation's tab: the name, the status and the start of
// the note (the mark is the tab's icon).
func tabTitle(c *contactState) string {
	t := c.displayName() + " · " + c.statusText()
	if c.note != "" {
		t += ": " + oneLine(c.note, tabNoteRunes)
	}
	return t
}

// presenceChanged shows c's new presence in its chat, if it has one.
func (cw *chatWindow) presenceChanged(c *contactState) {
	if conv := cw.convs[c.ID]; conv != nil {
		conv.header.show(c)
		conv.retitle()
	}
}
