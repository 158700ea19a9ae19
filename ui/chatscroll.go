package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
)

// bottomSlack is how near the bottom (in pixels) a reader counts as
// following the conversation.
const bottomSlack = 8

// atBottom reports whether conv shows its newest line: new lines then keep
// the view at the bottom; a reader scrolled up into history is left alone.
func (conv *conversation) atBottom() bool {
	s := conv.scroll
	return s.Size().Height == 0 || s.Offset.Y+s.Size().Height >= s.Content.Size().Height-bottomSlack
}

// scrolled follows the reader: at the top it loads older messages while
// some remain (not after a failed read: its button retries); at the
// bottom it loads newer ones while away from the newest, or else the
// new-messages button has done its job.
func (conv *conversation) scrolled(p fyne.Position) {
	if !conv.pinning {
		conv.stick = !conv.away && conv.atBottom() // the reader moved: up in the history, or back down
	}
	if p.Y <= 0 && conv.more.Visible() && conv.more.Text == loadOlderText {
		conv.cw.loadOlder(conv)
	}
	if conv.away && !conv.loading && conv.atBottom() {
		conv.cw.loadNewer(conv)
	}
	if conv.newBelow.Visible() && !conv.away && conv.atBottom() {
		conv.newBelow.Hide()
	}
}

// scrollToBottom shows the newest line and keeps it shown (stick) until
// the reader scrolls up: rows settle their wrapped height a frame or two
// after they get their width, and the window gets its real size after it
// is shown, each growing the content under a view that would otherwise
// stay where it was. Before the view has a size, it happens at its first
// layout.
func (conv *conversation) scrollToBottom() {
	conv.stick = true
	if !conv.away {
		conv.newBelow.Hide()
	}
	if conv.scroll.Size().Height == 0 {
		return
	}
	conv.scroll.Refresh() // lays out rows added just now
	conv.pin()
}

// pin puts the view at the bottom of the content as laid out now.
func (conv *conversation) pin() {
	if conv.pinning || conv.away {
		return
	}
	conv.pinning = true
	conv.scroll.ScrollToBottom()
	conv.pinning = false
}

// chatColumn lays the rows out one under the other, like a VBox, and
// keeps a conversation that sticks to its bottom there: the driver lays
// the rows out again whenever one of them changes its minimum size.
type chatColumn struct {
	vbox fyne.Layout
	conv *conversation
}

func (c chatColumn) MinSize(objs []fyne.CanvasObject) fyne.Size { return c.vbox.MinSize(objs) }

func newChatColumn(conv *conversation) *fyne.Container {
	return container.New(chatColumn{vbox: layout.NewVBoxLayout(), conv: conv})
}

func (c chatColumn) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	c.vbox.Layout(objs, size)
	if c.conv.stick && c.conv.scroll != nil && c.conv.scroll.Size().Height > 0 {
		c.conv.pin()
	}
}

// bottomPin lays a conversation's scroll out over all its space and
// carries out a scrollToBottom that had to wait for a size.
type bottomPin struct{ conv *conversation }

func (p bottomPin) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if p.conv.stick && size.Height > 0 {
		p.conv.pin()
	}
}

func (p bottomPin) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
