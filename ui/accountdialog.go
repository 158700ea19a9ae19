package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient/failure"
)

// transportChoices are the transport menu entries, in menu order.
var transportChoices = []struct {
	label     string
	transport account.Transport
}{
	{"UDP", account.TransportUDP},
	{"TCP", account.TransportTCP},
	{"TLS", account.TransportTLS},
}

const (
	noVerifyWarning = "Certificate checks are off: anyone between you and the server can pose as it and read your password and messages."
	sessionOnlyNote = "Save again once that is done, or use the password for this session only: it is kept in memory and you type it again the next time Parley starts."
)

// accountForm adds or edits one account. It validates as the user types
// and says in words what is wrong; saving and testing run off the Fyne
// thread.
type accountForm struct {
	w     *accountsWindow
	base  account.Account // the account edited: its ID and what the form does not show
	isNew bool

	aor, name, authUser, registrar, proxy, xcap, buddies, interval, password *keyEntry
	transport                                                                *keySelect
	verify, enabled                                                          *keyCheck
	tlsWarning, problem, result                                              *wrappedLabel
	failed                                                                   *failureLine // Test connection's failure
	save, test, cancel, sessionOnly                                          *keyButton
	content                                                                  fyne.CanvasObject
	keys                                                                     *dialogKeys // Enter saves, Escape cancels
}

func newAccountForm(w *accountsWindow, acc account.Account, isNew bool) *accountForm {
	f := &accountForm{w: w, base: acc, isNew: isNew}
	f.keys = &dialogKeys{submit: func() { f.submit(false) }, cancel: w.showList}
	f.failed = newFailureLine(func() fyne.Window { return w.win })
	f.failed.box.Hide()
	f.makeFields()
	f.fill(acc)
	f.tlsWarning.Hidden = acc.VerifyTLS
	f.verify.OnChanged = func(on bool) { f.tlsWarning.Hidden = on; f.tlsWarning.Refresh() }
	for _, e := range []*keyEntry{f.aor, f.name, f.authUser, f.registrar, f.proxy, f.xcap, f.buddies, f.interval} {
		e.OnChanged = func(string) { f.check() }
	}
	f.transport.OnChanged = func(string) { f.check() }
	f.layout()
	return f
}

func (f *accountForm) makeFields() {
	k := f.keys
	f.aor, f.name, f.authUser = newKeyEntry(k), newKeyEntry(k), newKeyEntry(k)
	f.registrar, f.proxy, f.interval = newKeyEntry(k), newKeyEntry(k), newKeyEntry(k)
	f.xcap, f.buddies = newKeyEntry(k), newKeyEntry(k)
	f.password = newKeyPasswordEntry(k)
	labels := make([]string, len(transportChoices))
	for i, t := range transportChoices {
		labels[i] = t.label
	}
	f.transport = newKeySelect(labels, k)
	f.verify = newKeyCheck("Check the server's certificate (TLS)", k)
	f.enabled = newKeyCheck("Sign in with this account", k)
	f.tlsWarning = wrapLabel(noVerifyWarning)
	f.tlsWarning.Importance = widget.WarningImportance
	f.problem = wrapLabel("")
	f.problem.Importance = widget.DangerImportance
	f.result = wrapLabel("")
	f.save = newKeyButton("Save", func() { f.submit(false) }, k)
	f.save.Importance = widget.HighImportance
	f.test = newKeyButton("Test connection", f.testConnection, k)
	f.cancel = newKeyButton("Cancel", f.w.showList, k)
	f.sessionOnly = newKeyButton("Use for this session only", func() { f.submit(true) }, k)
	f.sessionOnly.Hide()
}

// fill puts acc's settings in the fields, with hints for the empty ones.
func (f *accountForm) fill(acc account.Account) {
	f.aor.SetPlaceHolder("sip:alice@example.com")
	f.authUser.SetPlaceHolder("the user part of the address")
	f.registrar.SetPlaceHolder("the address's domain")
	f.proxy.SetPlaceHolder("none")
	f.xcap.SetPlaceHolder("none: the server's default decides")
	f.buddies.SetPlaceHolder("none: one subscription per contact")
	f.aor.SetText(acc.AOR)
	f.name.SetText(acc.DisplayName)
	f.authUser.SetText(acc.AuthUsername)
	f.registrar.SetText(acc.Registrar)
	f.proxy.SetText(acc.OutboundProxy)
	f.xcap.SetText(acc.XCAPRoot)
	f.buddies.SetText(acc.BuddyList)
	f.interval.SetText(itoa(acc.RegisterInterval))
	f.transport.SetSelectedIndex(0)
	for i, t := range transportChoices {
		if t.transport == acc.Transport {
			f.transport.SetSelectedIndex(i)
		}
	}
	f.verify.SetChecked(acc.VerifyTLS)
	f.enabled.SetChecked(acc.Enabled)
	if f.isNew {
		f.password.SetPlaceHolder("if the server asks for one")
	} else {
		f.password.SetPlaceHolder("leave empty to keep the saved password")
	}
}

func (f *accountForm) layout() {
	form := widget.NewForm(
		widget.NewFormItem("Address", f.aor),
		widget.NewFormItem("Display name", f.name),
		widget.NewFormItem("Password", f.password),
		widget.NewFormItem("Auth username", f.authUser),
		widget.NewFormItem("Registrar", f.registrar),
		widget.NewFormItem("Outbound proxy", f.proxy),
		widget.NewFormItem("Contacts and rules (XCAP)", f.xcap),
		widget.NewFormItem("Buddy list (RLS)", f.buddies),
		widget.NewFormItem("Transport", f.transport),
		widget.NewFormItem("", f.verify),
		widget.NewFormItem("Re-register every", container.NewBorder(nil, nil, nil, widget.NewLabel("seconds"), f.interval)),
		widget.NewFormItem("", f.enabled),
	)
	title := "Edit account"
	if f.isNew {
		title = "Add account"
	}
	body := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, f.tlsWarning, f.problem, f.sessionOnly, f.result, f.failed.box)
	buttons := container.NewHBox(f.cancel, f.test, f.save)
	f.content = container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), buttons), nil, nil, container.NewVScroll(body))
}

// check reads the fields into an account and validates it, showing the
// reason in words; it returns the account when valid.
func (f *accountForm) check() (account.Account, error) {
	acc := f.base
	acc.AOR = strings.TrimSpace(f.aor.Text)
	acc.DisplayName = strings.TrimSpace(f.name.Text)
	acc.AuthUsername = strings.TrimSpace(f.authUser.Text)
	acc.Registrar = strings.TrimSpace(f.registrar.Text)
	acc.OutboundProxy = strings.TrimSpace(f.proxy.Text)
	acc.XCAPRoot = strings.TrimSpace(f.xcap.Text)
	acc.BuddyList = strings.TrimSpace(f.buddies.Text)
	acc.Transport = transportChoices[max(f.transport.SelectedIndex(), 0)].transport
	acc.VerifyTLS, acc.Enabled = f.verify.Checked, f.enabled.Checked
	if f.isNew && acc.ID == "" {
		acc.ID = newAccountID(acc.AOR, f.w.accounts)
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.interval.Text))
	if err != nil {
		f.problem.SetText("Re-register every: write a number of seconds, like " + itoa(account.DefaultRegisterInterval) + ".")
		return acc, err
	}
	acc.RegisterInterval = n
	if err := acc.Validate(); err != nil {
		why, ok := invalidReason(err)
		if !ok {
			why = sentence(err.Error())
		}
		f.problem.SetText(why)
		return acc, err
	}
	f.problem.SetText("")
	return acc, nil
}

// submit saves the account through the service, off the Fyne thread.
// sessionOnly keeps the password in memory only: the user's answer to a
// keyring that cannot store it. There is no other fallback.
func (f *accountForm) submit(sessionOnly bool) {
	if f.save.Disabled() {
		return // saving or testing already: Enter waits too
	}
	acc, err := f.check()
	if err != nil {
		return
	}
	f.base.ID = acc.ID // a second try (session only) saves the same account
	password, svc, ctx := f.password.Text, f.w.svc, f.w.app.ctx
	f.busy("Saving…")
	f.w.app.bg(func() {
		err := svc.SaveAccount(ctx, acc, password, sessionOnly)
		fyne.Do(func() { f.saved(err) })
	})
}

func (f *accountForm) saved(err error) {
	f.idle()
	f.result.SetText("")
	if err == nil {
		f.w.showList()
		return
	}
	if msg, ok := keyringProblem(err); ok {
		f.problem.SetText("The password could not be stored in the keyring. " + msg + " " + sessionOnlyNote)
		f.sessionOnly.Show()
		return
	}
	if why, ok := invalidReason(err); ok {
		f.problem.SetText(why)
		return
	}
	f.problem.SetText("The account could not be saved. " + failureWords(failure.Of(err), serverParty(domainOf(f.base.AOR))))
}

// testConnection registers once with the form's settings and says how it
// went.
func (f *accountForm) testConnection() {
	acc, err := f.check()
	if err != nil {
		return
	}
	password, svc, ctx := f.password.Text, f.w.svc, f.w.app.ctx
	f.busy("Testing the connection…")
	f.w.app.bg(func() {
		err := svc.TestAccount(ctx, acc, password)
		fyne.Do(func() { f.tested(acc, err) })
	})
}

func (f *accountForm) tested(acc account.Account, err error) {
	f.idle()
	if err != nil {
		f.result.Hide()
		f.failed.set("Test failed: "+failureWords(failure.Of(err), serverParty(domainOf(acc.AOR))), err.Error())
		f.failed.box.Show()
		return
	}
	f.result.Importance = widget.SuccessImportance
	f.result.SetText("The connection works: " + displayAOR(acc.AOR) + " signed in and out again.")
}

func (f *accountForm) busy(what string) {
	f.save.Disable()
	f.test.Disable()
	f.sessionOnly.Disable()
	f.result.Importance = widget.MediumImportance
	f.result.SetText(what)
	f.result.Show()
	f.failed.box.Hide()
}

func (f *accountForm) idle() {
	f.save.Enable()
	f.test.Enable()
	f.sessionOnly.Enable()
}
