// Package assets holds Parley's icons, drawn by genicon.go (go generate).
package assets

//go:generate go run genicon.go

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed tray.png
var trayPNG []byte

// Icon is the application icon (256×256).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// TrayIcon is the system tray icon (64×64).
var TrayIcon = fyne.NewStaticResource("tray.png", trayPNG)
