package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"github.com/parley-im/parley/sipclient"
)

// trayUI is the tray icon's state: its drawn icons, what it shows now,
// and how to set it (the desktop driver's, or a test's).
type trayUI struct {
	icons *trayIcons
	shown *trayState
	set   func(fyne.Resource)
}

// SetupTray puts the status menu and Show/Quit in the system tray. Closing
// the main window then hides it to the tray, but only where a tray is
// likely to exist (a desktop session with a session bus): elsewhere a
// hidden window could not be brought back, so closing quits.
func (a *App) SetupTray(icon fyne.Resource) {
	desk, ok := a.fa.(desktop.App)
	if !ok {
		return
	}
	items := []*fyne.MenuItem{fyne.NewMenuItem("Show Parley", a.Raise)}
	items = append(items, fyne.NewMenuItemSeparator())
	for i, s := range statusChoices {
		items = append(items, fyne.NewMenuItem(s.label, func() { a.status.SetSelectedIndex(i) }))
	}
	desk.SetSystemTrayMenu(fyne.NewMenu("Parley", items...))
	if icon != nil {
		a.showTrayIcons(icon, desk.SetSystemTrayIcon)
	}
	if trayLikely() {
		a.win.SetCloseIntercept(func() { a.mainSize.save(); a.win.Hide() })
	}
}

// showTrayIcons makes the tray icon follow the status and unread
// messages, drawn from base and given to set.
func (a *App) showTrayIcons(base fyne.Resource, set func(fyne.Resource)) {
	icons, err := newTrayIcons(base)
	if err != nil {
		a.log.Warn("tray icon", "error", err)
		set(base)
		return
	}
	a.tray = trayUI{icons: icons, set: set}
	a.updateTray()
}

// updateTray sets the tray icon when what it tells changed, and only
// then: the tray redraws on every set.
func (a *App) updateTray() {
	t := &a.tray
	if t.icons == nil {
		return
	}
	own := a.core.Presence().Status
	if a.autoAway {
		own = sipclient.StatusAway
	}
	s := trayState{mark: ownMark(own), unread: a.anyUnread()}
	if t.shown != nil && *t.shown == s {
		return
	}
	if r := t.icons.icon(s); r != nil {
		t.set(r)
		t.shown = &s
	}
}

// anyUnread tells whether a message waits: unread in a chat, or a
// message request not yet answered.
func (a *App) anyUnread() bool {
	for _, c := range a.contacts {
		if c.unread > 0 {
			return true
		}
	}
	return len(a.requests.order) > 0
}

func trayLikely() bool {
	return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" && os.Getenv("XDG_CURRENT_DESKTOP") != ""
}
