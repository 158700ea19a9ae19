package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/sipclient"
)

// trayState is what the tray icon tells: the user's own status, marked
// as the roster marks contacts (colour and shape), and whether anything
// waits unread.
type trayState struct {
	mark   availability
	unread bool
}

// trayIcons draws each state's icon once from the base icon and keeps
// it: a state seen again costs no drawing and no PNG encoding.
type trayIcons struct {
	base  image.Image
	cache map[trayState]fyne.Resource
}

func newTrayIcons(base fyne.Resource) (*trayIcons, error) {
	img, err := png.Decode(bytes.NewReader(base.Content()))
	if err != nil {
		return nil, fmt.Errorf("tray icon: %w", err)
	}
	return &trayIcons{base: img, cache: map[trayState]fyne.Resource{}}, nil
}

// icon is the state's icon, drawn on first use.
func (t *trayIcons) icon(s trayState) fyne.Resource {
	if r := t.cache[s]; r != nil {
		return r
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, drawTray(t.base, s)); err != nil {
		return nil // an in-memory NRGBA always encodes
	}
	r := fyne.NewStaticResource(fmt.Sprintf("tray-%d-%t.png", s.mark, s.unread), buf.Bytes())
	t.cache[s] = r
	return r
}

// ownMark is how the roster would mark the user with status st.
func ownMark(st sipclient.Status) availability {
	switch st {
	case sipclient.StatusAway:
		return availAway
	case sipclient.StatusBusy, sipclient.StatusDND, sipclient.StatusOnThePhone:
		return availBusy
	case sipclient.StatusOffline:
		return availOffline
	}
	return availOnline
}

// Where the marks sit, as fractions of the icon's side: the status in the
// lower right corner (where the app icon has its green dot), the unread
// dot in the upper right.
const (
	markX, markY, markR, markInner = 0.78, 0.78, 0.19, 0.145
	unreadX, unreadY, unreadR      = 0.80, 0.20, 0.17
)

// unreadColor is the unread dot's red, apart from the busy mark's.
var unreadColor = color.NRGBA{0xd0, 0x10, 0x40, 0xff}

// drawTray draws s over the base icon: a white disc in the corner with
// the status mark in the light theme's colours (they are chosen to read
// on white), and a red dot on a white rim when something is unread.
func drawTray(base image.Image, s trayState) *image.NRGBA {
	b := base.Bounds()
	img := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(img, img.Bounds(), base, b.Min, draw.Src)
	side := float64(b.Dx())
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	mark := dotColor(s.mark, theme.VariantLight)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			px, py := (float64(x)+0.5)/side, (float64(y)+0.5)/side
			if math.Hypot(px-markX, py-markY) <= markR {
				img.Set(x, y, white)
				if inMark(s.mark, px-markX, py-markY) {
					img.Set(x, y, mark)
				}
			}
			if d := math.Hypot(px-unreadX, py-unreadY); s.unread && d <= unreadR {
				img.Set(x, y, white)
				if d <= unreadR-0.04 {
					img.SetNRGBA(x, y, unreadColor)
				}
			}
		}
	}
	return img
}

// inMark tells whether the point (dx, dy) from the mark's centre is
// inked for mark a: ● available, ◐ away, ■ busy, ○ offline.
func inMark(a availability, dx, dy float64) bool {
	r := math.Hypot(dx, dy)
	ring := r <= markInner && r >= markInner-0.045
	switch a {
	case availOnline:
		return r <= markInner
	case availAway:
		return ring || (r <= markInner && dx <= 0)
	case availBusy:
		return math.Abs(dx) <= markInner*0.8 && math.Abs(dy) <= markInner*0.8
	}
	return ring
}
