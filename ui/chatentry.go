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
	shift   bool
	onSend  func(text string)
	onEdit  func(text string) // the text changed (typed, pasted, sent, cleared)
	onFocus func(gained bool) // the input got or lost the keyboard
}

func newSendEntry(onSend func(string)) *sendEntry {
	e := &sendEntry{onSend: onSend}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetPlaceHolder("Type a message (Enter sends, Shift+Enter for a new line)")
	e.OnChanged = e.changed
	e.ExtendBaseWidget(e)
	return e
}

func (e *sendEntry) changed(text string) {
	e.fitWrapping(text)
	if e.onEdit != nil {
		e.onEdit(text)
	}
}

// fitWrapping turns word wrap off while text has a paragraph too long to
// wrap quickly (see paragraphRunes): the input then scrolls sideways
// instead of freezing the window for seconds over a pasted log. It comes
// back on when the text is short again (sent, or cut).
func (e *sendEntry) fitWrapping(text string) {
	want := fyne.TextWrapWord
	if hasLongParagraph(text) {
		want = fyne.TextWrapOff
	}
	if e.Wrapping != want {
		e.Wrapping = want
		e.Refresh()
	}
}

func (e *sendEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(true)
	}
}

func (e *sendEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onFocus != nil {
		e.onFocus(false)
	}
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
	if passShortcut(e, s) {
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		// Decided before the paste: wrapping the pasted text even once
		// is what takes seconds.
		e.fitWrapping(e.Text + p.Clipboard.Content())
	}
	e.Entry.TypedShortcut(s)
}
