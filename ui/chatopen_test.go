package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
)

// A chat opened by an incoming message shows that message, whatever the
// order in which its history page, the window's real size and the
// driver's later layouts (rows settle their wrapped height a frame after
// they get their width) come: 20 opens, each order several times.
func TestIncomingMessageOpensChatOnScreen(t *testing.T) {
	for i := range 20 {
		a, core, _ := newTestApp(t)
		storeLongHistory(core, laplace, 120)
		var queued []func() // the background work, run when the test says
		a.bg = func(f func()) { queued = append(queued, f) }
		runQueued := func() {
			for len(queued) > 0 {
				f := queued[0]
				queued = queued[1:]
				f()
			}
		}
		m := sipclient.MessageReceived{ID: 1000, Peer: pid(laplace), From: laplace, Text: "Hi There from Laplace", At: time.Now()}
		core.stored[laplace] = append([]sipclient.ChatMessage{{ID: 1000, Direction: "in", Text: m.Text, At: m.At, State: "received"}}, core.stored[laplace]...)
		resize := func() { a.chats.win.Resize(fyne.NewSize(float32(400+40*(i%5)), 480)) } // the window manager's size
		a.applyBatch([]sipclient.Event{m})
		conv := a.chats.convs[pid(laplace)]
		switch i % 4 {
		case 0:
			runQueued()
			frames(conv, 3)
			resize()
		case 1:
			frames(conv, 1)
			runQueued()
			resize()
			frames(conv, 3)
		case 2:
			resize()
			frames(conv, 2)
			runQueued()
		case 3:
			resize()
			runQueued()
		}
		frames(conv, 3)
		if !scrolledIntoView(conv, 1000) || conv.newBelow.Visible() {
			t.Fatalf("open %d: the message is not on screen (offset %v of %v in %v), New messages shown %v", i,
				conv.scroll.Offset, conv.box.Size(), conv.scroll.Size(), conv.newBelow.Visible())
		}
		// The next one follows too: the reader never left the bottom.
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1001, Peer: pid(laplace), From: laplace, Text: "and another", At: time.Now()}})
		frames(conv, 3)
		if !scrolledIntoView(conv, 1001) || conv.newBelow.Visible() {
			t.Fatalf("open %d: the second message is not followed, New messages shown %v", i, conv.newBelow.Visible())
		}
	}
}

// frames does what the desktop driver does at each frame for a
// conversation whose rows changed their minimum size: it lays the
// scroller out again (Fyne's Canvas.EnsureMinSize).
func frames(conv *conversation, n int) {
	for range n {
		test.WidgetRenderer(conv.scroll).Layout(conv.scroll.Size())
	}
}

// storeLongHistory stores n messages from peer, newest first, some of them
// long enough to wrap over several lines.
func storeLongHistory(core *fakeCore, peer string, n int) {
	start := time.Now().Add(-time.Hour)
	for i := n; i >= 1; i-- {
		text := "older line " + itoa(i)
		if i%3 == 0 {
			text += " " + strings.Repeat("words that wrap ", 12)
		}
		core.stored[peer] = append(core.stored[peer], sipclient.ChatMessage{ID: sipclient.MessageID(i), Direction: "in", Text: text, At: start.Add(time.Duration(i) * time.Second), State: "received"})
	}
}
