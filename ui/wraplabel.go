package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// minWrapWidth is the narrowest a word-wrapped label asks to be.
const minWrapWidth = 280

// wrappedLabel is a word-wrapped label. A plain one that has not been laid
// out yet is zero wide and asks for one character per line: a window
// sized from it grows thousands of pixels tall, and a centred one stays a
// column of letters. This one asks to be at least minWrapWidth wide and
// as tall as its text is at that width.
type wrappedLabel struct {
	widget.Label
	measured string // text of the cached height
	height   float32
	minWidth float32 // 0: minWrapWidth
}

func wrapLabel(s string) *wrappedLabel {
	l := &wrappedLabel{}
	l.Text, l.Wrapping = s, fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

func (l *wrappedLabel) MinSize() fyne.Size {
	minW := l.minWidth
	if minW == 0 {
		minW = minWrapWidth
	}
	if l.Size().Width >= minW {
		ms := l.Label.MinSize()
		return fyne.NewSize(max(ms.Width, minW), ms.Height)
	}
	if l.measured != l.Text || l.height == 0 {
		// Measure on a twin, so the label keeps the size its parent gave it.
		m := widget.NewLabel(l.Text)
		m.Wrapping, m.TextStyle, m.SizeName = l.Wrapping, l.TextStyle, l.SizeName
		m.Resize(fyne.NewSize(minW, 0))
		l.measured, l.height = l.Text, m.MinSize().Height
	}
	return fyne.NewSize(minW, l.height)
}

// cappedHeight lays out one scroller over content and asks for content's
// minimum height up to max: long texts scroll instead of making the
// window taller than the screen.
type cappedHeight struct {
	content fyne.CanvasObject
	max     float32
}

// newCappedScroll shows content in a vertical scroller that asks for at
// most max of height.
func newCappedScroll(content fyne.CanvasObject, max float32) *fyne.Container {
	return container.New(&cappedHeight{content: content, max: max}, container.NewVScroll(content))
}

func (c *cappedHeight) MinSize([]fyne.CanvasObject) fyne.Size {
	if !c.content.Visible() {
		return fyne.Size{}
	}
	ms := c.content.MinSize()
	return fyne.NewSize(ms.Width, min(ms.Height, c.max))
}

func (c *cappedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
}
