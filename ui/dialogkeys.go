package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// dialogKeys is what Enter and Escape do in one dialog or form. Fyne
// gives a key to the focused widget only, so every field of a dialog
// asks the same dialogKeys (the key* widgets below), and the window asks
// it when nothing has focus.
type dialogKeys struct {
	submit func() // Enter; nil: Enter does nothing here
	cancel func() // Escape
}

// typed runs what k says for ev and reports whether it took the key.
func (k *dialogKeys) typed(ev *fyne.KeyEvent) bool {
	if k == nil {
		return false
	}
	switch ev.Name {
	case fyne.KeyEscape:
		if k.cancel != nil {
			k.cancel()
			return true
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.submit != nil {
			k.submit()
			return true
		}
	}
	return false
}

// keyEntry is a one-line entry in a dialog: Enter submits the dialog and
// Escape cancels it.
type keyEntry struct {
	widget.Entry
	keys *dialogKeys
}

func newKeyEntry(keys *dialogKeys) *keyEntry {
	e := &keyEntry{keys: keys}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewEntry
	e.ExtendBaseWidget(e)
	return e
}

// newKeyPasswordEntry hides what is typed; the Entry's renderer adds
// the reveal button, as for widget.NewPasswordEntry.
func newKeyPasswordEntry(keys *dialogKeys) *keyEntry {
	e := newKeyEntry(keys)
	e.Password = true
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if !e.MultiLine && e.keys.typed(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// keyButton is a button in a dialog: Enter presses it, as Space does,
// and Escape cancels the dialog.
type keyButton struct {
	widget.Button
	keys *dialogKeys
}

func newKeyButton(label string, tapped func(), keys *dialogKeys) *keyButton {
	b := &keyButton{keys: keys}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
	case fyne.KeyEscape:
		b.keys.typed(ev)
	default:
		b.Button.TypedKey(ev)
	}
}

// keyCheck is a check box in a dialog: Enter submits, Escape cancels.
type keyCheck struct {
	widget.Check
	keys *dialogKeys
}

func newKeyCheck(label string, keys *dialogKeys) *keyCheck {
	c := &keyCheck{keys: keys}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

func (c *keyCheck) TypedKey(ev *fyne.KeyEvent) {
	if !c.keys.typed(ev) {
		c.Check.TypedKey(ev)
	}
}

// keySelect is a drop-down in a dialog: Enter submits, Escape cancels
// (an open menu takes the keys itself, so Escape there only closes it).
type keySelect struct {
	widget.Select
	keys *dialogKeys
}

func newKeySelect(options []string, keys *dialogKeys) *keySelect {
	s := &keySelect{keys: keys}
	s.Options, s.PlaceHolder = options, "(Select one)" // widget.NewSelect's
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.keys.typed(ev) {
		s.Select.TypedKey(ev)
	}
}

// keyDialog is a dialog the keyboard drives: its first field has focus
// when it opens, Enter submits (when the form is valid) and Escape
// cancels, whichever of its widgets has focus, or none.
type keyDialog struct {
	*dialog.CustomDialog
	keys    *dialogKeys
	win     fyne.Window
	confirm *keyButton // nil for a dialog with Close only
	dismiss *keyButton
}

// newKeyDialog builds a dialog with a dismiss button and, unless confirm
// is "", a confirm button. onConfirm returns false to keep the dialog
// open (the form says what is wrong); onDismiss may be nil.
func newKeyDialog(title, confirm, dismiss string, content fyne.CanvasObject, keys *dialogKeys,
	onConfirm func() bool, onDismiss func(), win fyne.Window) *keyDialog {
	kd := &keyDialog{keys: keys, win: win, CustomDialog: dialog.NewCustomWithoutButtons(title, content, win)}
	keys.cancel = func() {
		kd.Hide()
		if onDismiss != nil {
			onDismiss()
		}
	}
	kd.dismiss = newKeyButton(dismiss, keys.cancel, keys)
	buttons := []fyne.CanvasObject{kd.dismiss}
	if confirm != "" {
		keys.submit = func() {
			if onConfirm() {
				kd.Hide()
			}
		}
		kd.confirm = newKeyButton(confirm, keys.submit, keys)
		kd.confirm.Importance = widget.HighImportance
		buttons = append(buttons, kd.confirm)
	}
	kd.SetButtons(buttons)
	return kd
}

// showFocused shows the dialog with first focused (nil: the confirm
// button, else Close). While it is up, keys typed with nothing focused
// go to it.
func (kd *keyDialog) showFocused(first fyne.Focusable) {
	kd.Show()
	c := kd.win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if !kd.keys.typed(ev) && prev != nil {
			prev(ev)
		}
	})
	kd.SetOnClosed(func() { c.SetOnTypedKey(prev) })
	switch {
	case first != nil:
		c.Focus(first)
	case kd.confirm != nil:
		c.Focus(kd.confirm)
	default:
		c.Focus(kd.dismiss)
	}
}

// showConfirm asks a yes/no question the keyboard answers: the confirm
// button has focus, Enter confirms, Escape cancels.
func showConfirm(title, question, confirm string, onConfirm func(), win fyne.Window) *keyDialog {
	kd := confirmDialog(title, question, confirm, "Cancel", onConfirm, win)
	kd.showFocused(nil)
	return kd
}

// showUnasked puts a question the user did not ask for (something that
// happened elsewhere): its dismiss button has focus, so an Enter meant
// for the field the user was typing in decides nothing.
func showUnasked(title, question, confirm, dismiss string, onConfirm func(), win fyne.Window) *keyDialog {
	kd := confirmDialog(title, question, confirm, dismiss, onConfirm, win)
	kd.showFocused(kd.dismiss)
	return kd
}

func confirmDialog(title, question, confirm, dismiss string, onConfirm func(), win fyne.Window) *keyDialog {
	keys := &dialogKeys{}
	var kd *keyDialog
	// Hidden before onConfirm runs: a dialog it opens (a failure) would
	// go with this one, Fyne removing an overlay with those above it.
	kd = newKeyDialog(title, confirm, dismiss, wrapLabel(question), keys,
		func() bool { kd.Hide(); onConfirm(); return false }, nil, win)
	kd.Resize(fyne.NewSize(360, 0))
	return kd
}

// showClosable shows content with a Close button that has focus: Enter
// and Escape close it, as a click does.
func showClosable(title string, content fyne.CanvasObject, size fyne.Size, win fyne.Window) *keyDialog {
	kd := newKeyDialog(title, "", "Close", content, &dialogKeys{}, nil, nil, win)
	kd.Resize(size)
	kd.showFocused(nil)
	return kd
}

// showInformation tells one thing in a sentence; Close has the focus.
func showInformation(title, text string, win fyne.Window) *keyDialog {
	return showClosable(title, wrapLabel(text), fyne.NewSize(360, 0), win)
}
