package ui

import (
	"image"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// firstFrameProbe is a 1×1 transparent raster: the painter calls its
// generator while drawing, so its first call marks the first painted frame.
func firstFrameProbe(f func()) fyne.CanvasObject {
	var once sync.Once
	r := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(f)
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	return r
}
