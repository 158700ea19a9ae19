package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// SetupTray puts the status menu and Show/Quit in the system tray. Closing
// the main window then hides it to the tray, but only where a tray is
// likely to exist (a desktop session with a session bus): elsewhere a
// hidden window could not be brought back, so closing quits.
func (a *App) SetupTray(icon fyne.Resource) {
	desk, ok := a.fa.(desktop.App)
	if !ok {
		return
	}
	items := []*fyne.MenuItem{fyne.NewMenuItem("Show Parley", func() { a.win.Show(); a.win.RequestFocus() })}
	items = append(items, fyne.NewMenuItemSeparator())
	for i, s := range statusChoices {
		items = append(items, fyne.NewMenuItem(s.label, func() { a.status.SetSelectedIndex(i) }))
	}
	desk.SetSystemTrayMenu(fyne.NewMenu("Parley", items...))
	if icon != nil {
		desk.SetSystemTrayIcon(icon)
	}
	if trayLikely() {
		a.win.SetCloseIntercept(func() { a.win.Hide() })
	}
}

func trayLikely() bool {
	return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" && os.Getenv("XDG_CURRENT_DESKTOP") != ""
}
