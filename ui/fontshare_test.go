package ui

import (
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// liveHeap is the heap still reachable after a collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The text styles share the parsed emoji font (patches/fyne-v2.7.1-font-once.patch):
// without the patch every style parses the 4 MB font again and keeps its
// own copy of its tables, ~4 MB of heap each.
func TestTextStylesShareParsedFonts(t *testing.T) {
	test.NewTempApp(t)
	fyne.MeasureText("Parley ☺", 14, fyne.TextStyle{}) // the first face set, with the emoji font
	before := liveHeap()
	for _, st := range []fyne.TextStyle{{Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		fyne.MeasureText("Parley ☺", 14, st)
	}
	grew := int64(liveHeap()) - int64(before)
	emoji := int64(len(theme.DefaultEmojiFont().Content()))
	t.Logf("three more text styles: %.1f MB of live heap (emoji font %.1f MB)", float64(grew)/(1<<20), float64(emoji)/(1<<20))
	// Each style still parses its own text font and system fallback
	// (~3.5 MB here); a copy of the emoji font per style comes on top.
	if grew > 3*emoji {
		t.Errorf("three more text styles grew the live heap by %d bytes, over three times the emoji font (%d): each parsed it again", grew, emoji)
	}
}
