package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient/failure"
)

// accountsWindow is the account settings: the accounts with their
// registration state, and the form to add or edit one. The form takes the
// list's place in the same window.
type accountsWindow struct {
	app      *App
	svc      AccountService
	win      fyne.Window
	accounts []account.Account
	loaded   bool
	rows     *fyne.Container
	problem  *wrappedLabel
	addBtn   *keyButton
	keys     *dialogKeys // the page on show's: Escape closes the list, cancels the form
	listKeys *dialogKeys // the list page's
	listPage fyne.CanvasObject
	form     *accountForm // the form on show, else nil
	// states are the rows' state lines, updated in place by the countdown
	states map[*wrappedLabel]account.Account
}

// showAccounts opens the account settings, or brings them to the front.
func (a *App) showAccounts() {
	if a.opt.Accounts == nil {
		return
	}
	if a.accts.win != nil {
		a.accts.win.win.RequestFocus()
		return
	}
	w := newAccountsWindow(a)
	a.accts.win = w
	w.win.Show()
	w.reload()
}

func newAccountsWindow(a *App) *accountsWindow {
	w := &accountsWindow{app: a, svc: a.opt.Accounts, win: a.fa.NewWindow("Accounts")}
	w.rows = container.NewVBox()
	w.problem = wrapLabel("")
	w.problem.Importance = widget.DangerImportance
	w.problem.Hide()
	// Escape closes the account settings; Enter presses the focused
	// button only.
	w.listKeys = &dialogKeys{cancel: func() { w.win.Close() }}
	w.keys = w.listKeys
	w.addBtn = newKeyButton("Add account…", func() { w.showForm(account.NewAccount("", ""), true) }, w.listKeys)
	w.addBtn.Importance = widget.HighImportance
	buttons := container.NewHBox(w.addBtn, newKeyButton("Close", w.win.Close, w.listKeys))
	w.listPage = container.NewBorder(nil, buttons, nil, nil,
		container.NewVScroll(container.NewVBox(w.problem, w.rows)))
	w.win.SetContent(w.listPage)
	w.win.SetOnClosed(func() { a.accts.win = nil })
	w.win.Resize(fyne.NewSize(440, 420))
	// With nothing focused the window hands Enter and Escape to the page.
	w.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { w.keys.typed(ev) })
	w.win.Canvas().Focus(w.addBtn)
	return w
}

// reload fetches the accounts off the Fyne thread and shows them.
func (w *accountsWindow) reload() {
	if !w.loaded {
		w.rows.Objects = []fyne.CanvasObject{widget.NewLabel("Loading accounts…")}
		w.rows.Refresh()
	}
	w.app.bg(func() {
		list := w.svc.Accounts()
		fyne.Do(func() {
			w.accounts, w.loaded = list, true
			w.refresh()
		})
	})
}

// refresh redraws the list, with the latest registration states; a
// closed window (nil) ignores it.
func (w *accountsWindow) refresh() {
	if w == nil || !w.loaded {
		return
	}
	w.rows.Objects = w.rows.Objects[:0]
	w.states = map[*wrappedLabel]account.Account{}
	if len(w.accounts) == 0 {
		w.rows.Add(wrapLabel("No accounts yet. Add the SIP account your provider gave you to sign in with it."))
	}
	for _, acc := range w.accounts {
		if !acc.Enabled {
			w.app.forgetAccount(acc.AOR) // a disabled account has no line, nor a countdown
		}
		w.rows.Add(w.accountRow(acc))
	}
	w.rows.Refresh()
}

func (w *accountsWindow) accountRow(acc account.Account) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(accountTitle(acc), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	state := wrapLabel(w.stateText(acc))
	w.states[state] = acc
	if ev, ok := w.app.accts.reg.registration(acc.AOR); ok && acc.Enabled {
		state.Importance = registrationImportance(ev.State)
	}
	edit := newKeyButton("Edit…", func() { w.showForm(acc, false) }, w.listKeys)
	remove := newKeyButton("Remove…", func() { w.confirmRemove(acc) }, w.listKeys)
	// The buttons go under the words: beside them they took the width the
	// words need and stretched to their height.
	return container.NewVBox(title, state, container.NewHBox(edit, remove))
}

// accountTitle names an account: its display name and address.
func accountTitle(acc account.Account) string {
	if acc.DisplayName == "" {
		return displayAOR(acc.AOR)
	}
	return acc.DisplayName + " <" + displayAOR(acc.AOR) + ">"
}

// stateText is an account's registration state in words.
func (w *accountsWindow) stateText(acc account.Account) string {
	if !acc.Enabled {
		return displayAOR(acc.AOR) + ": disabled"
	}
	if ev, ok := w.app.accts.reg.registration(acc.AOR); ok {
		return registrationText(ev)
	}
	return displayAOR(acc.AOR) + ": not registered yet"
}

// passwordPendingWords: the keyring was locked when an account was removed.
const passwordPendingWords = "Parley will remove the saved password from the keyring when it is unlocked."

// passwordKeptWords: the password could be neither deleted nor noted for
// later.
const passwordKeptWords = "Its saved password could not be removed from the keyring: remove it there yourself (for example with Passwords and Keys), under Parley."

func (w *accountsWindow) confirmRemove(acc account.Account) {
	msg := "Remove the account " + displayAOR(acc.AOR) + "? Its saved password is deleted too."
	showConfirm("Remove account", msg, "Remove", func() { w.remove(acc) }, w.win)
}

// remove deletes the account (and its password) off the Fyne thread. A
// locked keyring does not stop it: the password goes when it is unlocked.
func (w *accountsWindow) remove(acc account.Account) {
	w.app.bg(func() {
		err := w.svc.RemoveAccount(w.app.ctx, acc.ID)
		fyne.Do(func() {
			pending, kept := errors.Is(err, account.ErrPasswordPending), errors.Is(err, account.ErrPasswordKept)
			if err != nil && !pending && !kept {
				w.showProblem("Could not remove " + displayAOR(acc.AOR) + ". " + failureWords(failure.Of(err), serverParty(domainOf(acc.AOR))))
				return
			}
			w.problem.Hide()
			switch {
			case pending:
				w.showNotice(displayAOR(acc.AOR) + " is removed. " + passwordPendingWords)
			case kept:
				w.showNotice(displayAOR(acc.AOR) + " is removed. " + passwordKeptWords)
			}
			w.app.forgetAccount(acc.AOR)
			w.reload()
		})
	})
}

func (w *accountsWindow) showProblem(msg string) {
	w.problem.Importance = widget.DangerImportance
	w.problem.SetText(msg)
	w.problem.Show()
}

// showNotice tells something the user should know that is not a failure.
func (w *accountsWindow) showNotice(msg string) {
	w.problem.Importance = widget.WarningImportance
	w.problem.SetText(msg)
	w.problem.Show()
}

// showForm puts the add/edit form in the window.
func (w *accountsWindow) showForm(acc account.Account, isNew bool) {
	w.problem.Hide()
	w.form = newAccountForm(w, acc, isNew)
	w.keys = w.form.keys
	w.win.SetContent(w.form.content)
	w.win.Canvas().Focus(w.form.aor)
}

// showList puts the list back, freshly loaded.
func (w *accountsWindow) showList() {
	w.form = nil
	w.keys = w.listKeys
	w.win.SetContent(w.listPage)
	w.reload()
	w.win.Canvas().Focus(w.addBtn)
}

// tick updates the state lines in place: the countdown redraws no row.
func (w *accountsWindow) tick() {
	if w == nil {
		return
	}
	for l, acc := range w.states {
		l.SetText(w.stateText(acc))
	}
}
