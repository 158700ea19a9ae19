package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/identity"
)

// watcherChanged asks the user about someone who wants to see their
// presence, and remembers the answer. One question is on screen at a time
// and each address is asked about once: in direct mode anyone can
// subscribe, and a burst of strangers stacked a dialog each.
func (a *App) watcherChanged(ev sipclient.WatcherChanged) {
	if ev.State != sipclient.WatcherPending || slices.Contains(a.asking, ev.Peer) || slices.Contains(a.askLater, ev.Peer) {
		return
	}
	a.asking = append(a.asking, ev.Peer)
	if len(a.asking) == 1 {
		a.askNextWatcher()
	} else {
		a.showWaiting()
	}
}

// showWaiting says on the question on screen how many more wait.
func (a *App) showWaiting() {
	if a.askMore == nil {
		return
	}
	more := len(a.asking) - 1
	a.askMore.SetText(itoa(more) + " more waiting after this one")
	a.askMore.Hidden = more <= 0
	a.askMore.Refresh()
}

// askNextWatcher shows the question at the head of the queue. Allow has
// the focus and Enter allows; Escape (or Later) decides nothing: the
// question is put off, the watcher stays pending, and the Privacy dialog
// offers it again.
func (a *App) askNextWatcher() {
	if len(a.asking) == 0 {
		return
	}
	who := a.asking[0]
	msg := who.String() + " wants to see when you are available.\nAllow them? If you block them, they will always see you as offline."
	a.askMore = widget.NewLabel("")
	a.showWaiting()
	content := container.NewVBox(wrapLabel(msg), a.askMore)
	next := func() {
		a.askMore = nil
		a.asking = a.asking[1:]
		a.askNextWatcher()
	}
	keys := &dialogKeys{}
	var kd *keyDialog
	// Each answer hides this question before the next one shows, so the
	// dialogs' key handlers unwind in order.
	kd = newKeyDialog("Presence request", "Allow", "Later", content, keys,
		func() bool { kd.Hide(); a.decideWatcher(who, true); next(); return false },
		func() { a.askLater = append(a.askLater, who); a.showLater(); next() }, a.win)
	block := newKeyButton("Block", func() { kd.Hide(); a.decideWatcher(who, false); next() }, keys)
	kd.SetButtons([]fyne.CanvasObject{kd.dismiss, block, kd.confirm})
	kd.showFocused(nil)
}

// askAgain puts a question the user put off back on screen.
func (a *App) askAgain(who identity.ID) {
	a.askLater = slices.DeleteFunc(a.askLater, func(x identity.ID) bool { return x == who })
	a.showLater()
	if slices.Contains(a.asking, who) {
		return
	}
	a.asking = append(a.asking, who)
	if len(a.asking) == 1 {
		a.askNextWatcher()
	} else {
		a.showWaiting()
	}
}

// laterMark is the main window's reminder of the presence requests the
// user put off: without it they waited unseen until Privacy… was opened.
// It opens Privacy…, whose lists start with them.
func (a *App) laterMark() fyne.CanvasObject {
	a.laterBtn = widget.NewButton("", a.showPrivacy)
	a.laterBtn.Hide()
	return a.laterBtn
}

// showLater says how many put-off requests wait, and hides the mark
// when none does.
func (a *App) showLater() {
	if a.laterBtn == nil {
		return
	}
	switch n := len(a.askLater); n {
	case 0:
		a.laterBtn.Hide()
		return
	case 1:
		a.laterBtn.SetText("1 person waits for your answer")
	default:
		a.laterBtn.SetText(itoa(n) + " people wait for your answer")
	}
	a.laterBtn.Show()
}

// decideWatcher remembers the answer in the contact book, which the core
// asks for every new subscription, and applies it to the subscriptions
// already there.
func (a *App) decideWatcher(who identity.ID, allow bool) {
	d := sipclient.Block
	if allow {
		d = sipclient.Allow
	}
	a.bookSaved(a.book.AnswerWatcher(who, d))
	if err := a.core.AuthorizeWatcher(who, d); err != nil {
		a.showProblemDetail("Could not answer "+who.String()+". "+failureWords(failure.Of(err), peerParty(who.String())), err.Error())
	}
}
