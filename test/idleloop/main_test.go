// Package idleloop proves, in a real X server (Xvfb), that Fyne's main loop
// as Parley builds it (patches/fyne-v2.7.1-idle-loop.patch) sleeps while
// nothing changes, and still paints at once what fyne.Do, an animation, a
// click or a resize changes; and that a focused entry's blinking cursor
// (patches/fyne-v2.7.1-cursor-blink.patch) wakes it twice a second, not 60
// times. The loop runs on the process's main thread:
// how often that thread was switched in (/proc) counts its wake-ups,
// without a hook in Fyne.
package idleloop

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/internal/xvfb"
)

// title names the test window for xdotool.
const title = "Parley idle loop test"

// quitTimeout bounds the wait for the app to quit after the tests.
const quitTimeout = 10 * time.Second

// The window every test uses, built in TestMain on the main goroutine.
var (
	win    fyne.Window
	probe  *paintProbe
	button *widget.Button
	entry  *widget.Entry
	tapped = make(chan struct{}, 16)
)

// TestMain runs Fyne on the main goroutine, as an app does, in a private
// Xvfb, and the tests on another goroutine; it quits the app when they end.
func TestMain(m *testing.M) {
	display, stop, err := xvfb.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	config, err := os.MkdirTemp("", "idleloop")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("DISPLAY", display)
	os.Setenv("XDG_CONFIG_HOME", config) // Fyne's preferences, not the user's
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "")

	a := app.NewWithID("im.parley.idleloop")
	win = a.NewWindow(title)
	probe = newPaintProbe(color.White)
	button = widget.NewButton("Tap", func() { tapped <- struct{}{} })
	entry = widget.NewEntry()
	win.SetContent(container.NewBorder(entry, button, nil, nil, probe.raster))
	win.Resize(fyne.NewSize(240, 200))

	code := 1
	go func() {
		code = m.Run()
		// Quit as Parley's tray menu does: the loop must not fall
		// asleep on its way out. App.Quit, not Driver().Quit, also stops
		// Fyne's settings watcher, which would otherwise see the
		// RemoveAll below and call fyne.Do after GLFW has terminated
		// (a panic, seen in CI).
		fyne.Do(a.Quit)
		time.Sleep(quitTimeout)
		fmt.Fprintf(os.Stderr, "the app did not quit within %v of fyne.Do(App.Quit)\n", quitTimeout)
		stop()
		os.Exit(1)
	}()
	win.ShowAndRun()
	stop()
	os.RemoveAll(config)
	os.Exit(code)
}

// paint is one generation of the probe's image: what was painted.
type paint struct {
	width, height int
	fill          color.Color
}

// paintProbe is a raster whose image is generated again each time the
// window paints it after a change (a refresh or a new size); each
// generation is sent on painted.
type paintProbe struct {
	raster  *canvas.Raster
	fill    color.Color // read and written on the Fyne thread only
	painted chan paint
}

func newPaintProbe(fill color.Color) *paintProbe {
	p := &paintProbe{fill: fill, painted: make(chan paint, 256)}
	p.raster = canvas.NewRaster(func(w, h int) image.Image {
		select {
		case p.painted <- paint{w, h, p.fill}:
		default: // nobody is listening; the tests drain before they wait
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(img, img.Bounds(), image.NewUniform(p.fill), image.Point{}, draw.Src)
		return img
	})
	return p
}

// setFill changes the colour; it runs on the Fyne thread.
func (p *paintProbe) setFill(c color.Color) {
	p.fill = c
	p.raster.Refresh()
}
