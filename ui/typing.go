package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// The peer's typing (RFC 3994, through TypingChanged) shows under the
// messages as "Bob is typing…" and as a mark on the tab; the user's own
// typing goes to the core (SetTyping), which decides what reaches the
// peer.

// typingMark is added to a tab's title while the contact types.
const typingMark = " ✎"

// typingRefresh is how long the user goes on typing before the core is
// told again that they still are: the core keeps the notice alive by
// itself and sends idle when not told for a while, so once per keystroke
// would be a call per keystroke for nothing.
const typingRefresh = 5 * time.Second

// applyTyping shows or clears a contact's typing; strangers' is not shown.
func (a *App) applyTyping(ev sipclient.TypingChanged) {
	c := a.contacts[ev.Peer]
	if c == nil {
		return
	}
	c.typing = ev.Active
	if conv := a.chats.convs[ev.Peer]; conv != nil {
		conv.showTyping()
	}
}

// newTypingLabel is the line under the messages that says the contact is
// typing. It keeps its (small) height when empty, so the messages never
// move when it comes and goes.
func newTypingLabel() *widget.Label {
	l := widget.NewLabel("")
	l.TextStyle = fyne.TextStyle{Italic: true}
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func (conv *conversation) showTyping() {
	text := ""
	if conv.contact.typing {
		text = conv.contact.displayName() + " is typing…"
	}
	conv.typing.SetText(text)
	conv.retitle()
}

// typingNotice tells the core, for one conversation, while the user is
// typing in its input: when they start, again every typingRefresh while
// they go on, and that they stopped once the input is sent or emptied or
// the tab closed. Calls go off the Fyne thread, each after the one before,
// so the core hears them in order.
type typingNotice struct {
	app  *App
	uri  string
	on   bool
	told time.Time     // when the core was last told the user types
	done chan struct{} // closed once the last call returned
}

// changed follows the input's text.
func (t *typingNotice) changed(text string) {
	if strings.TrimSpace(text) == "" {
		t.stop()
		return
	}
	now := t.app.now()
	if t.on && now.Sub(t.told) < typingRefresh {
		return
	}
	t.on, t.told = true, now
	t.tell(true)
}

// stop tells the core the user stopped typing, if it was told they type.
func (t *typingNotice) stop() {
	if t.on {
		t.on = false
		t.tell(false)
	}
}

func (t *typingNotice) tell(active bool) {
	prev, done := t.done, make(chan struct{})
	t.done = done
	a, uri := t.app, t.uri
	a.bg(func() {
		if prev != nil {
			<-prev
		}
		defer close(done)
		if err := a.core.SetTyping(a.ctx, uri, active); err != nil {
			a.log.Info("typing notice", "uri", uri, "active", active, "error", err)
		}
	})
}
