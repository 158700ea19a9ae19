package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// sendEntry is the chat input: Enter sends, Shift+Enter starts a new line
// (Fyne's multi-line entry does the opposite).
type sendEntry struct {
	widget.Entry
	shift  bool
	onSend func(text string)
}

func newSendEntry(onSend func(string)) *sendEntry {
	e := &sendEntry{onSend: onSend}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder("Type a message (Enter sends, Shift+Enter for a new line)")
	e.ExtendBaseWidget(e)
	return e
}

func (e *sendEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

func (e *sendEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

func (e *sendEntry) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift {
		e.send()
		return
	}
	e.Entry.TypedKey(k)
}

func (e *sendEntry) send() {
	text := strings.TrimRight(e.Text, "\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	e.SetText("")
	e.onSend(text)
}

func (e *sendEntry) TypedShortcut(s fyne.Shortcut) {
	if !passShortcut(e, s) {
		e.Entry.TypedShortcut(s)
	}
}
