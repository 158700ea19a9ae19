package ui

import (
	"fyne.io/fyne/v2"
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
}

func wrapLabel(s string) *wrappedLabel {
	l := &wrappedLabel{}
	l.Text, l.Wrapping = s, fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

func (l *wrappedLabel) MinSize() fyne.Size {
	if l.Size().Width >= minWrapWidth {
		ms := l.Label.MinSize()
		return fyne.NewSize(max(ms.Width, minWrapWidth), ms.Height)
	}
	if l.measured != l.Text || l.height == 0 {
		// Measure on a twin, so the label keeps the size its parent gave it.
		m := widget.NewLabel(l.Text)
		m.Wrapping, m.TextStyle, m.SizeName = l.Wrapping, l.TextStyle, l.SizeName
		m.Resize(fyne.NewSize(minWrapWidth, 0))
		l.measured, l.height = l.Text, m.MinSize().Height
	}
	return fyne.NewSize(minWrapWidth, l.height)
}
