package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// Window sizes are remembered in Fyne's preferences: each window opens at
// the size the user last gave it. A drag resizes a window dozens of times
// a second, so the size is written once it has stayed the same for
// sizeSettle, and when the window closes, not at every resize. Fyne (2.7)
// has no API to read or set a window's position (fyne-io/fyne#554), so
// where a window opens is left to the window manager.

// sizeSettle is how long a new size must last before it is written.
const sizeSettle = time.Second

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
	seen  fyne.Size // the window's size now
	timer *time.Timer
}

// keepSize sizes win as the user last left it (or at first as def) and
// returns content wrapped so that later sizes are remembered.
func (a *App) keepSize(win fyne.Window, key string, def fyne.Size, content fyne.CanvasObject) (*sizeKeeper, fyne.CanvasObject) {
	p := a.fa.Preferences()
	k := &sizeKeeper{prefs: p, key: key, win: win}
	k.saved = fyne.NewSize(float32(p.Float(key+".width")), float32(p.Float(key+".height")))
	size := def
	if k.saved.Width > 0 && k.saved.Height > 0 {
		size = k.saved
	}
	k.seen = size
	win.Resize(size)
	return k, &fyne.Container{Layout: sizeWatch{k}, Objects: []fyne.CanvasObject{content}}
}

// resized notes the window's size; it is written once it settles.
func (k *sizeKeeper) resized(size fyne.Size) {
	if size == k.seen || size.Width <= 0 || size.Height <= 0 {
		return
	}
	k.seen = size
	if k.timer != nil {
		k.timer.Stop()
	}
	k.timer = settleTimer(func() { fyne.Do(k.save) })
}

// settleTimer runs f once a size has settled. Tests take it away: they
// save when they choose.
var settleTimer = func(f func()) *time.Timer { return time.AfterFunc(sizeSettle, f) }

// save writes the size the window has now, if it is not the one stored.
func (k *sizeKeeper) save() {
	if k.timer != nil {
		k.timer.Stop()
		k.timer = nil
	}
	if k.seen == k.saved {
		return
	}
	k.saved = k.seen
	k.prefs.SetFloat(k.key+".width", float64(k.seen.Width))
	k.prefs.SetFloat(k.key+".height", float64(k.seen.Height))
}

// sizeWatch lays out a window's content over the whole window and tells
// the keeper each size the window takes.
type sizeWatch struct{ k *sizeKeeper }

func (w sizeWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.Position{})
		o.Resize(size)
	}
	w.k.resized(w.k.win.Canvas().Size())
}

func (w sizeWatch) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
