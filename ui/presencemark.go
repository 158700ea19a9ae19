package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// The presence marks (● available, ◐ away, ■ busy, ○ offline, ? unknown:
// a shape per state as well as a colour, the same shapes as the tray's)
// are drawn, not typed. None of Fyne's theme fonts has ● ◐ ■ ○, so a text
// mark made Fyne load its emoji font (4 MB, copied to the heap) and then
// search the system's fonts for one that has them: about 6 MB of live
// heap at start-up for four glyphs, and a blank box on a system without
// such a font.

// markShapes is each mark in SVG on a 16×16 grid; %[1]s is its colour.
// Every part is a fill: Fyne's SVG renderer does not scale a stroke's
// width with the image, so a drawn ring would thin out at larger sizes.
// A ring is two circles wound in opposite directions.
var markShapes = [availUnknown + 1]string{
	availOnline:  `<circle cx="8" cy="8" r="7" fill="%[1]s"/>`,
	availAway:    `<path d="` + markRing + ` M8 1 A7 7 0 0 0 8 15 Z" fill="%[1]s"/>`,
	availBusy:    `<rect x="2" y="2" width="12" height="12" fill="%[1]s"/>`,
	availOffline: `<path d="` + markRing + `" fill="%[1]s"/>`,
	availUnknown: `<path d="M4 6 A4 4 0 1 1 10.83 8.83 L9 10.66 V11.2 H7 V9.83 L9.41 7.41 A2 2 0 1 0 6 6 Z" fill="%[1]s"/>` +
		`<circle cx="8" cy="13.6" r="1.3" fill="%[1]s"/>`,
}

// markRing is a ring 1.6 wide, 14 across.
const markRing = `M1 8 A7 7 0 1 1 15 8 A7 7 0 1 1 1 8 Z M2.6 8 A5.4 5.4 0 1 0 13.4 8 A5.4 5.4 0 1 0 2.6 8 Z`

// markKey names one drawn mark: a state in a theme variant's colour.
type markKey struct {
	a availability
	v fyne.ThemeVariant
}

// markResources holds each mark's SVG once (the UI's goroutine only).
var markResources = map[markKey]fyne.Resource{}

// markResource is the mark of state a in variant v's colour.
func markResource(a availability, v fyne.ThemeVariant) fyne.Resource {
	if v != theme.VariantLight { // as dotColor
		v = theme.VariantDark
	}
	k := markKey{a, v}
	if r := markResources[k]; r != nil {
		return r
	}
	c := color.NRGBAModel.Convert(dotColor(a, v)).(color.NRGBA)
	hex := fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">` +
		fmt.Sprintf(markShapes[a], hex) + `</svg>`
	r := fyne.NewStaticResource(fmt.Sprintf("mark-%d-%d.svg", a, v), []byte(svg))
	markResources[k] = r
	return r
}

// newMark is a mark side pixels square, showing unknown until set.
func newMark(side float32) *canvas.Image {
	img := canvas.NewImageFromResource(markResource(availUnknown, currentVariant()))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(side, side))
	return img
}

// setMark shows state a on img, in the current theme's colour.
func setMark(img *canvas.Image, a availability) {
	r := markResource(a, currentVariant())
	if img.Resource == r {
		return
	}
	img.Resource = r
	img.Refresh()
}

func currentVariant() fyne.ThemeVariant {
	return fyne.CurrentApp().Settings().ThemeVariant()
}
