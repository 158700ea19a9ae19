package ui

import "fyne.io/fyne/v2"

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

// scrollToBottom shows the newest line, now or, before the view has a
// size (a page loaded while the tab was being made), at its first layout.
func (conv *conversation) scrollToBottom() {
	if conv.scroll.Size().Height == 0 {
		conv.pinBottom = true
		return
	}
	conv.scroll.Refresh() // lays out rows added just now
	conv.scroll.ScrollToBottom()
	if !conv.away {
		conv.newBelow.Hide()
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
	if p.conv.pinBottom && size.Height > 0 {
		p.conv.pinBottom = false
		p.conv.scrollToBottom()
	}
}

func (p bottomPin) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
