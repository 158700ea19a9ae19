package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// The user's two choices about what the IM dialect tells peers, kept in
// Fyne's preferences (on by default) and handed to the core at start and
// on every change.
const (
	prefTypingNotices = "im.typingNotices"
	prefReadReceipts  = "im.readReceipts"
)

// imPrefs reads the user's choices.
func (a *App) imPrefs() sipclient.IMPrefs {
	p := a.fa.Preferences()
	return sipclient.IMPrefs{
		TypingNotices: p.BoolWithFallback(prefTypingNotices, true),
		ReadReceipts:  p.BoolWithFallback(prefReadReceipts, true),
	}
}

// setIMPrefs keeps the user's choices and applies them.
func (a *App) setIMPrefs(c sipclient.IMPrefs) {
	p := a.fa.Preferences()
	p.SetBool(prefTypingNotices, c.TypingNotices)
	p.SetBool(prefReadReceipts, c.ReadReceipts)
	a.core.SetIMPrefs(c)
}

// privacyButton is the main window's entry to the privacy choices.
func (a *App) privacyButton() fyne.CanvasObject {
	return widget.NewButton("Privacy…", a.showPrivacy)
}

// showPrivacy lets the user choose what their contacts are told.
func (a *App) showPrivacy() {
	cur := a.imPrefs()
	keys := &dialogKeys{}
	typing := newKeyCheck("Send typing notifications", keys)
	typing.SetChecked(cur.TypingNotices)
	typing.OnChanged = func(on bool) {
		c := a.imPrefs()
		c.TypingNotices = on
		a.setIMPrefs(c)
	}
	read := newKeyCheck("Send read receipts", keys)
	read.SetChecked(cur.ReadReceipts)
	read.OnChanged = func(on bool) {
		c := a.imPrefs()
		c.ReadReceipts = on
		a.setIMPrefs(c)
	}
	about := wrapLabel("These tell the people you write with when you are typing to them and when you have read their messages. You see theirs either way.")
	parts := []fyne.CanvasObject{typing, read, about, widget.NewSeparator(), a.noticeSettings(keys), widget.NewSeparator()}
	if away := a.awaySettings(keys); away != nil {
		parts = append(parts, away, widget.NewSeparator())
	}
	parts = append(parts, a.privacyLists(keys))
	d := newKeyDialog("Privacy", "", "Close", container.NewVBox(parts...), keys, nil, nil, a.win)
	d.Resize(fyne.NewSize(420, 0))
	d.showFocused(typing)
}
