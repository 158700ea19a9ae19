package ui

import "fyne.io/fyne/v2"

// WarmFonts parses the fonts of the text styles the main window shows
// (regular, bold names, italic group headers) on another goroutine, and
// closes the channel it returns when done. The first measure of a style
// parses its font: ~25 ms of the start, which can run while the main
// thread waits for the X server (GLFW starting, the window made). Call it
// once the app exists, and wait on the channel before New: a font face is
// not safe for concurrent use, so nothing may measure text meanwhile.
func WarmFonts() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		size := float32(14) // any size: the parsed font serves every size
		for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}} {
			fyne.MeasureText("Parley", size, style)
		}
	}()
	return done
}
