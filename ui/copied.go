package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// copiedFor is how long a Copy button says it copied.
const copiedFor = 2 * time.Second

const (
	copyText   = "Copy"
	copiedText = "Copied ✓"
)

// copyButton puts what text returns on the clipboard and says so on
// itself for copiedFor: a click on a button that did nothing visible
// leaves the user unsure it worked.
func copyButton(clip func() fyne.Clipboard, text func() string) *widget.Button {
	b := widget.NewButton(copyText, nil)
	var shown int // the copy being said; a later one extends the time
	b.OnTapped = func() {
		clip().SetContent(text())
		shown++
		n := shown
		b.SetText(copiedText)
		copiedLater(func() {
			if n == shown {
				b.SetText(copyText)
			}
		})
	}
	return b
}

// copiedLater runs f on the Fyne thread after copiedFor. Tests run it
// when they choose.
var copiedLater = func(f func()) { time.AfterFunc(copiedFor, func() { fyne.Do(f) }) }
