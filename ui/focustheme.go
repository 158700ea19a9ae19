package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// focusAlpha is the opacity of the focus colour: Fyne's own (0x2a over
// the primary blue) tints a focused button or check by about 1.2:1,
// which nobody sees; at 0x80 a focused button stands out by 2:1 on the
// light theme and 1.7:1 on the dark one (focustheme_test.go measures).
const focusAlpha = 0x80

// focusTheme is the app's theme with a focus colour people can see when
// they move through a window with Tab. Everything else is the theme it
// wraps.
type focusTheme struct{ fyne.Theme }

func (t focusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n != theme.ColorNameFocus {
		return t.Theme.Color(n, v)
	}
	r, g, b, _ := t.Theme.Color(theme.ColorNamePrimary, v).RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: focusAlpha}
}

// useFocusTheme puts focusTheme over the app's current theme, once.
func useFocusTheme(fa fyne.App) {
	s := fa.Settings()
	if _, done := s.Theme().(focusTheme); done {
		return
	}
	s.SetTheme(focusTheme{s.Theme()})
}
