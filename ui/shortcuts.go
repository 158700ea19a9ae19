package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Keyboard shortcuts. Fyne hands a shortcut to the focused widget when it
// takes shortcuts (every entry does) and only otherwise to the window, so
// the app's entries pass these on to their window (see passShortcut).
var (
	shortcutFind     = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutAdd      = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutCloseTab = &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNextTab  = &desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutPrevTab  = &desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault}
)

var windowShortcuts = map[string]bool{}

func init() {
	for _, s := range []fyne.Shortcut{shortcutFind, shortcutAdd, shortcutCloseTab, shortcutNextTab, shortcutPrevTab} {
		windowShortcuts[s.ShortcutName()] = true
	}
}

// passShortcut gives one of the window shortcuts typed in o to o's
// window; false leaves it to o.
func passShortcut(o fyne.CanvasObject, s fyne.Shortcut) bool {
	if !windowShortcuts[s.ShortcutName()] {
		return false
	}
	c, ok := fyne.CurrentApp().Driver().CanvasForObject(o).(fyne.Shortcutable)
	if ok {
		c.TypedShortcut(s)
	}
	return ok
}

// mainShortcuts: Ctrl+F searches all messages, Ctrl+N adds a contact.
func (a *App) mainShortcuts(search fyne.Focusable) {
	c := a.win.Canvas()
	c.AddShortcut(shortcutFind, func(fyne.Shortcut) { c.Focus(search) })
	c.AddShortcut(shortcutAdd, func(fyne.Shortcut) { a.showAddContact() })
}

// chatShortcuts: Ctrl+F searches the conversation in front, Ctrl+W closes
// its tab, Ctrl+PageDown/PageUp go to the next/previous tab.
func (cw *chatWindow) chatShortcuts() {
	c := cw.win.Canvas()
	c.AddShortcut(shortcutFind, func(fyne.Shortcut) {
		if conv := cw.front(); conv != nil {
			c.Focus(conv.find.entry)
		}
	})
	c.AddShortcut(shortcutCloseTab, func(fyne.Shortcut) {
		if t := cw.tabs.Selected(); t != nil {
			cw.tabs.Remove(t)
			cw.tabs.OnClosed(t)
			if len(cw.tabs.Items) == 0 {
				cw.win.Close()
			}
		}
	})
	c.AddShortcut(shortcutNextTab, func(fyne.Shortcut) { cw.stepTab(1) })
	c.AddShortcut(shortcutPrevTab, func(fyne.Shortcut) { cw.stepTab(-1) })
}

// front is the conversation whose tab is selected, or nil.
func (cw *chatWindow) front() *conversation {
	t := cw.tabs.Selected()
	for _, conv := range cw.convs {
		if t != nil && conv.tab == t {
			return conv
		}
	}
	return nil
}

func (cw *chatWindow) stepTab(by int) {
	n := len(cw.tabs.Items)
	if n == 0 {
		return
	}
	cw.tabs.SelectIndex(((cw.tabs.SelectedIndex()+by)%n + n) % n)
	if conv := cw.front(); conv != nil {
		cw.win.Canvas().Focus(conv.entry)
	}
}

// searchEntry is a one-line entry for a search or filter: Escape clears
// it, and window shortcuts typed in it reach the window.
type searchEntry struct {
	widget.Entry
}

func newSearchEntry(placeholder string) *searchEntry {
	e := &searchEntry{}
	e.SetPlaceHolder(placeholder)
	e.ExtendBaseWidget(e)
	return e
}

func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.SetText("")
		return
	}
	e.Entry.TypedKey(k)
}

func (e *searchEntry) TypedShortcut(s fyne.Shortcut) {
	if !passShortcut(e, s) {
		e.Entry.TypedShortcut(s)
	}
}
