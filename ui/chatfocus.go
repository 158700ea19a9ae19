package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Read receipts: the core is told (MarkRead) that the user saw a
// conversation when its tab is the one in front in a chat window that has
// the keyboard, and only when there is something new to say: a message
// came, or the conversation's newest page was shown. Never for a window
// in the background or minimised.
//
// Fyne tells the app when it goes to the background and back (Lifecycle),
// not which of its windows has the keyboard. A window that gets or loses
// the keyboard tells the widget focused in it, though: so the chat window
// keeps its focus on a conversation's input (it is focused when a chat is
// opened, a tab chosen, or nothing else in the window has the focus), and
// that input's focus events say whether the window is the one in use.

// inputFocus follows the focus of conv's input: gained, the chat window
// is in use; lost, it is either to another widget of the window (which
// then has the focus) or with the window itself (the input keeps the
// window's focus). Which one is known once the event is over.
func (cw *chatWindow) inputFocus(conv *conversation, gained bool) {
	if gained {
		cw.active = true
		cw.tellSeen()
		return
	}
	fyne.Do(func() {
		if cw.win == nil {
			return
		}
		switch cw.win.Canvas().Focused() {
		case conv.entry: // the window lost the keyboard
			cw.active = false
		case nil: // a click on no widget, e.g. a tab or a message: the input takes it back
			if front := cw.front(); front != nil && cw.active {
				cw.win.Canvas().Focus(front.entry)
			}
		}
	})
}

// selected is a tab chosen: the user's choice moves the keyboard to its
// input (Select called by incoming is not one).
func (cw *chatWindow) selected(t *container.TabItem) {
	cw.markRead(t)
	if conv := cw.front(); conv != nil && !cw.quiet {
		cw.win.Canvas().Focus(conv.entry)
	}
	cw.tellSeen()
}

// toBackground is Parley gone to the background: when it comes back, the
// chat window is in use once its input gets the keyboard again.
func (cw *chatWindow) toBackground() { cw.active = false }

// lookedAt reports whether the user is looking at the tab in front.
func (cw *chatWindow) lookedAt() bool {
	return cw.win != nil && cw.active && cw.app.inFront
}

// tellSeen tells the core that the user saw the conversation in front,
// if it has news and the user is looking at it: once per change.
func (cw *chatWindow) tellSeen() {
	if !cw.lookedAt() {
		return
	}
	conv := cw.front()
	if conv == nil || !conv.unseen {
		return
	}
	conv.unseen = false
	a, peer := cw.app, conv.contact.ID
	a.bg(func() {
		if err := a.core.MarkRead(a.ctx, peer); err != nil {
			a.log.Info("read receipt", "peer", peer, "error", err)
		}
	})
}
