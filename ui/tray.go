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
	// setMenu gives the tray its menu again when the status it ticks
	// changed (menuFor: the one shown).
	setMenu func(*fyne.Menu)
	menuFor *trayMenuState
}

// trayMenuState is what the tray menu ticks.
type trayMenuState struct {
	status sipclient.Status
	auto   bool
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
	a.setupTray(icon, desk.SetSystemTrayMenu, desk.SetSystemTrayIcon)
	if trayLikely() {
		a.win.SetCloseIntercept(func() { a.mainSize.save(); a.win.Hide() })
	}
}

// setupTray gives the tray its menu and icon through the desktop's
// setters (a test's recorders), both to follow the status from then on.
func (a *App) setupTray(icon fyne.Resource, setMenu func(*fyne.Menu), setIcon func(fyne.Resource)) {
	a.tray.setMenu = setMenu
	a.updateTrayMenu()
	if icon != nil {
		a.showTrayIcons(icon, setIcon)
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
	// Only the icon's fields: the menu's (setMenu, menuFor) stay, or the
	// tray menu would stop following the status.
	a.tray.icons, a.tray.set, a.tray.shown = icons, set, nil
	a.updateTray()
}

// updateTray sets the tray icon when what it tells changed, and only
// then: the tray redraws on every set.
func (a *App) updateTray() {
	a.updateTrayMenu()
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

// trayMenu is Show Parley and the statuses, the one in force ticked:
// under the automatic Away, an "Away (idle)" entry is (it is not a
// choice, so it does nothing).
func (a *App) trayMenu() *fyne.Menu {
	items := []*fyne.MenuItem{fyne.NewMenuItem("Show Parley", a.Raise), fyne.NewMenuItemSeparator()}
	own := a.chosenStatus()
	for i, s := range statusChoices {
		it := fyne.NewMenuItem(s.label, func() { a.status.SetSelectedIndex(i) })
		it.Checked = !a.autoAway && s.status == own
		items = append(items, it)
	}
	if a.autoAway {
		it := fyne.NewMenuItem(autoAwayLabel, nil)
		it.Checked, it.Disabled = true, true
		items = append(items, it)
	}
	return fyne.NewMenu("Parley", items...)
}

// updateTrayMenu gives the tray its menu when the status ticked changed.
func (a *App) updateTrayMenu() {
	t := &a.tray
	if t.setMenu == nil || a.status == nil {
		return
	}
	s := trayMenuState{status: a.chosenStatus(), auto: a.autoAway}
	if t.menuFor != nil && *t.menuFor == s {
		return
	}
	t.menuFor = &s
	t.setMenu(a.trayMenu())
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
