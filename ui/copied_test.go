package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Copy puts the address on the clipboard and says "Copied" until its
// time is up; a second copy meanwhile keeps it saying so.
func TestCopySaysCopied(t *testing.T) {
	var later []func()
	copiedLater = func(f func()) { later = append(later, f) }
	t.Cleanup(func() { copiedLater = func(func()) {} })
	a, core, _ := newTestApp(t)
	var b *widget.Button
	walkOnScreen(windowContent(a.win), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Button); ok && x.Text == copyText {
			b = x
		}
	})
	if b == nil {
		t.Fatal("no Copy button")
	}
	test.Tap(b)
	if got := a.fa.Clipboard().Content(); got != core.AOR() || b.Text != copiedText || !hasText(a.win, copiedText) {
		t.Fatalf("after Copy: clipboard %q, button %q", got, b.Text)
	}
	test.Tap(b)
	later[0]() // the first copy's time is up, not the second's
	if b.Text != copiedText {
		t.Errorf("a second copy was cut short: %q", b.Text)
	}
	later[1]()
	if b.Text != copyText {
		t.Errorf("after its time: %q", b.Text)
	}
}
