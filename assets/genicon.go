//go:build ignore

// genicon draws Parley's icon: a rounded speech bubble (two voices, one
// conversation) with a green presence dot. Run: go run genicon.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	write("icon.png", 256)
	write("tray.png", 64)
}

func write(name string, size int) {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	blue := color.NRGBA{0x1f, 0x5f, 0xbf, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	green := color.NRGBA{0x2e, 0xb0, 0x4b, 0xff}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := (float64(x)+0.5)/s, (float64(y)+0.5)/s
			var c color.NRGBA
			switch {
			case inCircle(px, py, 0.78, 0.78, 0.17):
				c = white
				if inCircle(px, py, 0.78, 0.78, 0.13) {
					c = green
				}
			case inRoundRect(px, py, 0.08, 0.12, 0.88, 0.70, 0.16) || inTail(px, py):
				c = blue
				if inCircle(px, py, 0.32, 0.41, 0.06) || inCircle(px, py, 0.48, 0.41, 0.06) || inCircle(px, py, 0.64, 0.41, 0.06) {
					c = white
				}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		panic(err)
	}
}

func inCircle(x, y, cx, cy, r float64) bool { return math.Hypot(x-cx, y-cy) <= r }

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return math.Hypot(x-cx, y-cy) <= r
}

// inTail is the bubble's pointer, a triangle under its lower left.
func inTail(x, y float64) bool {
	return y >= 0.68 && y <= 0.90 && x >= 0.20 && x <= 0.20+(0.90-y)*0.9 && x <= 0.42
}
