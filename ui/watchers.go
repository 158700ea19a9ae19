package ui

import (
	"fyne.io/fyne/v2/dialog"

	"github.com/parley-im/parley/sipclient"
)

// watcherChanged asks the user about someone who wants to see their
// presence, and remembers the answer.
func (a *App) watcherChanged(ev sipclient.WatcherChanged) {
	if ev.State != sipclient.WatcherPending {
		return
	}
	msg := ev.URI + " wants to see when you are available.\nAllow them? If you block them, they will always see you as offline."
	dialog.ShowCustomConfirm("Presence request", "Allow", "Block", wrapLabel(msg), func(allow bool) {
		a.decideWatcher(ev.URI, allow)
	}, a.win)
}

func (a *App) decideWatcher(uri string, allow bool) {
	d, word := sipclient.Block, "block"
	if allow {
		d, word = sipclient.Allow, "allow"
	}
	a.roster.Watchers[uri] = word
	a.saveRoster()
	if a.opt.Policy != nil {
		a.opt.Policy.Remember(uri, d)
	}
	if err := a.core.AuthorizeWatcher(uri, d); err != nil {
		a.showProblem("Could not answer " + uri + ": " + err.Error())
	}
}
