package ui

import (
	"bytes"
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"

	"github.com/parley-im/parley/sipclient"
)

// hasMark tells whether w shows presence mark av.
func hasMark(w fyne.Window, av availability) bool {
	want := markResource(av, currentVariant())
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if img, ok := o.(*canvas.Image); ok && img.Visible() && img.Resource == want {
			return true
		}
	}
	return false
}

// Each mark draws its shape in its colour: filled at the centre for
// available and busy, only on the left for away, a ring for offline;
// busy's square fills the corners a disc leaves empty.
func TestPresenceMarksDrawTheirShapes(t *testing.T) {
	test.NewTempApp(t)
	const side = 64
	at := func(img image.Image, x, y float64) color.NRGBA {
		return color.NRGBAModel.Convert(img.At(int(x*side), int(y*side))).(color.NRGBA)
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for av := availOnline; av <= availUnknown; av++ {
			mark := canvas.NewImageFromResource(markResource(av, v))
			mark.Resize(fyne.NewSize(side, side))
			w := test.NewWindow(mark)
			w.SetPadded(false)
			w.Resize(fyne.NewSize(side, side))
			img := w.Canvas().Capture()
			w.Close()
			ink := color.NRGBAModel.Convert(dotColor(av, v)).(color.NRGBA)
			inked := func(x, y float64) bool {
				c := at(img, x, y)
				d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
				return d(c.R, ink.R) < 40 && d(c.G, ink.G) < 40 && d(c.B, ink.B) < 40
			}
			centre, left, right, corner := inked(0.5, 0.5), inked(0.3, 0.5), inked(0.7, 0.5), inked(0.15, 0.15)
			ring := inked(0.5, 0.08) && inked(0.92, 0.5)
			var ok bool
			switch av {
			case availOnline:
				ok = centre && left && right && !corner
			case availAway:
				ok = left && !right && ring
			case availBusy:
				ok = centre && corner
			case availOffline:
				ok = !centre && ring
			case availUnknown:
				ok = !corner && inked(0.5, 0.86) // the question mark's dot
			}
			if !ok {
				t.Errorf("variant %d, mark %d: centre %t left %t right %t corner %t ring %t", v, av, centre, left, right, corner, ring)
			}
		}
	}
}

// Everything the roster shows is in Fyne's theme font: a rune it lacks
// makes Fyne load the emoji font and search the system's fonts (about
// 6 MB of heap), and shows a blank box where no font has it.
func TestRosterTextNeedsNoOtherFont(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch(allAvailabilities())
	faces := map[fyne.TextStyle]*font.Face{}
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		f, err := font.ParseTTF(bytes.NewReader(theme.DefaultTheme().Font(style).Content()))
		if err != nil {
			t.Fatal(err)
		}
		faces[style] = f
	}
	for _, o := range test.LaidOutObjects(a.win.Canvas().Content()) {
		txt, ok := o.(*canvas.Text)
		if !ok || !txt.Visible() || txt.TextStyle.Monospace || txt.TextStyle.Symbol {
			continue
		}
		for _, r := range txt.Text {
			if _, ok := faces[fyne.TextStyle{Bold: txt.TextStyle.Bold, Italic: txt.TextStyle.Italic}].NominalGlyph(r); !ok {
				t.Errorf("%q: %q (%U) is not in the theme's font", txt.Text, r, r)
			}
		}
	}
}

// allAvailabilities puts the test app's contacts in different states,
// with a note.
func allAvailabilities() []sipclient.Event {
	now := time.Now()
	return []sipclient.Event{
		sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, Activity: "away", Note: "In the lab until five", At: now},
		sipclient.PresenceChanged{Peer: pid(poisson), URI: poisson, Basic: sipclient.BasicOpen, Activity: "busy", At: now},
		sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicClosed, At: now},
	}
}
