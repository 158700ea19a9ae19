package ui

import (
	"fyne.io/fyne/v2"
)

// Window sizes are remembered in Fyne's preferences: each window opens at
// the size the user last gave it. A drag resizes a window dozens of times
// a second, so the size is read and written when it matters — the window
// closes or hides, the app goes to the background or stops — not at every
// resize. The content is not wrapped to watch its size: a wrapper at the
// root stops Fyne from laying out again a part whose minimum grew (an
// account line appearing stayed 0 px tall). Fyne (2.7) has no API to read
// or set a window's position (fyne-io/fyne#554), so where a window opens
// is left to the window manager.

// Preference keys of the windows' sizes.
const (
	prefMainSize = "window.main"
	prefChatSize = "window.chat"
)

// sizeKeeper remembers one window's size.
type sizeKeeper struct {
	prefs fyne.Preferences
	key   string
	win   fyne.Window
	saved fyne.Size // what the preferences hold
}

// keepSize sets content in win, sized as the user last left it (or at
// first as def). The size is set after the content: the driver fits a
// window to content set later.
func (a *App) keepSize(win fyne.Window, key string, def fyne.Size, content fyne.CanvasObject) *sizeKeeper {
	p := a.fa.Preferences()
	k := &sizeKeeper{prefs: p, key: key, win: win}
	k.saved = fyne.NewSize(float32(p.Float(key+".width")), float32(p.Float(key+".height")))
	size := def
	if k.saved.Width > 0 && k.saved.Height > 0 {
		size = k.saved
	}
	win.SetContent(content)
	win.Resize(size)
	return k
}

// save writes the size the window has now, if it is not the one stored.
func (k *sizeKeeper) save() {
	if k == nil {
		return
	}
	size := k.win.Canvas().Size()
	if size == k.saved || size.Width <= 0 || size.Height <= 0 {
		return
	}
	k.saved = size
	k.prefs.SetFloat(k.key+".width", float64(size.Width))
	k.prefs.SetFloat(k.key+".height", float64(size.Height))
}
