package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// privacyLists is the part of the Privacy dialog that lists the blocked
// senders (with Unblock) and every answer about who may see the user's
// status (with Revoke). The book holds both; the lists are redrawn after
// each change.
// keys are the dialog's, for Escape on its buttons.
func (a *App) privacyLists(keys *dialogKeys) fyne.CanvasObject {
	box := container.NewVBox()
	var fill func()
	fill = func() {
		box.Objects = append(a.laterRows(fill, keys), append(a.blockedRows(fill, keys), a.watcherRows(fill, keys)...)...)
		box.Refresh()
	}
	fill()
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(0, 180))
	return scroll
}

// laterRows are the presence requests the user put off, each with
// Answer…, which asks again (above the Privacy dialog).
func (a *App) laterRows(changed func(), keys *dialogKeys) []fyne.CanvasObject {
	if len(a.askLater) == 0 {
		return nil
	}
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle("Waiting for your answer", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	for _, who := range a.askLater {
		rows = append(rows, privacyRow(who, "", "Answer…", func() { a.askAgain(who); changed() }, keys))
	}
	return rows
}

func (a *App) blockedRows(changed func(), keys *dialogKeys) []fyne.CanvasObject {
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle("Blocked senders", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	blocked := a.book.Blocked()
	if len(blocked) == 0 {
		return append(rows, widget.NewLabel("Nobody is blocked."))
	}
	for _, who := range blocked {
		rows = append(rows, privacyRow(who, "", "Unblock", func() {
			a.bookSaved(a.book.Unblock(who))
			changed()
		}, keys))
	}
	return rows
}

func (a *App) watcherRows(changed func(), keys *dialogKeys) []fyne.CanvasObject {
	rows := []fyne.CanvasObject{widget.NewLabelWithStyle("Who may see your status", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	answers := a.book.WatcherAnswers()
	if len(answers) == 0 {
		return append(rows, widget.NewLabel("You have not answered anyone yet."))
	}
	ids := make([]identity.ID, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y identity.ID) int { return strings.Compare(x.String(), y.String()) })
	for _, who := range ids {
		what := "Allowed"
		if answers[who] == sipclient.Block {
			what = "Blocked"
		}
		rows = append(rows, privacyRow(who, what, "Revoke", func() {
			a.revokeWatcher(who)
			changed()
		}, keys))
	}
	return append(rows, wrapLabel("Revoke forgets your answer and ends what they see now: they are asked about again if they subscribe later. People in your contacts may always see your status."))
}

// privacyRow is an address, what was decided about it, and one action.
func privacyRow(who identity.ID, what, action string, do func(), keys *dialogKeys) fyne.CanvasObject {
	addr := widget.NewLabel(strings.TrimPrefix(who.String(), "sip:"))
	addr.Truncation = fyne.TextTruncateEllipsis
	right := container.NewHBox(newKeyButton(action, do, keys))
	if what != "" {
		right = container.NewHBox(widget.NewLabel(what), newKeyButton(action, do, keys))
	}
	return container.NewBorder(nil, nil, nil, right, addr)
}

// revokeWatcher withdraws the user's answer about who. An allowed watcher
// loses their subscription at once; a blocked one is answered again by
// the book's rules (a contact may watch, a stranger is asked about).
func (a *App) revokeWatcher(who identity.ID) {
	was := a.book.WatcherAnswers()[who]
	a.bookSaved(a.book.AnswerWatcher(who, sipclient.Ask))
	var err error
	if was == sipclient.Allow {
		err = a.core.EndWatcher(who)
	} else {
		err = a.core.AuthorizeWatcher(who, a.book.WatcherDecision(who))
	}
	if err != nil {
		a.showProblem("Could not revoke " + who.String() + ": " + err.Error())
	}
}
