package ui

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/identity"
)

// unsupportedPublication is shown when a presence server refuses PUBLISH.
const unsupportedPublication = "The server does not take presence publications; contacts who subscribe directly still see your status"

// registrationView is the main window's compact account lines: one per
// account the core reported on, and a notice about presence publication.
type registrationView struct {
	regs  map[string]sipclient.RegistrationChanged // by accountKey(AOR)
	pubs  map[string]sipclient.PublicationChanged  // by accountKey(AOR)
	lists map[string]sipclient.ListChanged         // by accountKey(AOR): the buddy list (listnotice.go)
	// removed accounts, whose last "unregistered" report is not shown
	removed map[string]bool
	at      map[string]time.Time // by accountKey: when the last report came
	now     func() time.Time
	// every runs f each d on the Fyne thread until stopped: the "tries
	// again in" countdown. Tests replace it.
	every   func(d time.Duration, f func()) (stop func())
	stop    func()          // the running countdown's, nil when none runs
	changed func()          // updates what else shows the lines (the accounts window)
	lines   *fyne.Container // of regLine boxes
	line    []*regLine
	// dismissed holds the report whose line the user closed (✕), by
	// accountKey: the line stays hidden until a different report comes.
	dismissed map[string]sipclient.RegistrationChanged
	win       func() fyne.Window // for Details
	notice    *wrappedLabel
}

// registrationBox builds the lines' place in the main window; it stays
// empty until the core reports on an account.
func (a *App) registrationBox() fyne.CanvasObject {
	r := &a.accts.reg
	r.lines = container.NewVBox()
	r.now = func() time.Time { return a.now() }
	if r.every == nil {
		r.every = every
	}
	r.changed = func() { a.accts.win.tick() }
	r.win = func() fyne.Window { return a.win }
	r.notice = wrapLabel("")
	r.notice.Importance = widget.WarningImportance
	r.notice.Hide()
	return container.NewVBox(r.lines, r.notice)
}

// applyRegistration records the latest state of one account's binding.
func (a *App) applyRegistration(ev sipclient.RegistrationChanged) {
	r := &a.accts.reg
	if r.regs == nil {
		r.regs = map[string]sipclient.RegistrationChanged{}
	}
	key := accountKey(ev.AOR)
	if r.removed[key] && ev.State == sipclient.RegUnregistered {
		return
	}
	delete(r.removed, key)
	r.regs[key] = ev
	if r.at == nil {
		r.at = map[string]time.Time{}
	}
	r.at[key] = a.now()
	r.render()
	a.accts.win.refresh()
	r.countDown()
}

// countDown keeps the "tries again in" of the lines live while a retry
// is pending, and stops when none is.
func (r *registrationView) countDown() {
	if r.stop != nil || !r.pending() || r.every == nil {
		return
	}
	r.stop = r.every(time.Second, func() {
		r.render()
		if r.changed != nil {
			r.changed()
		}
		if !r.pending() && r.stop != nil {
			r.stop()
			r.stop = nil
		}
	})
}

// pending reports whether a line still counts down to a retry.
func (r *registrationView) pending() bool {
	for k := range r.regs {
		if r.current(k).RetryIn > 0 {
			return true
		}
	}
	return false
}

// current is the last report on key, its RetryIn counted down to now.
func (r *registrationView) current(key string) sipclient.RegistrationChanged {
	ev := r.regs[key]
	if ev.RetryIn > 0 && r.now != nil {
		ev.RetryIn = max(ev.RetryIn-r.now().Sub(r.at[key]), 0)
	}
	return ev
}

// every calls f on the Fyne thread each d until stop is called.
func every(d time.Duration, f func()) (stop func()) {
	t := time.NewTicker(d)
	done := make(chan struct{})
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fyne.Do(f)
			case <-done:
				return
			}
		}
	}()
	return sync.OnceFunc(func() { close(done) })
}

// applyPublication records the latest state of one account's PUBLISH.
func (a *App) applyPublication(ev sipclient.PublicationChanged) {
	r := &a.accts.reg
	if r.pubs == nil {
		r.pubs = map[string]sipclient.PublicationChanged{}
	}
	r.pubs[accountKey(ev.AOR)] = ev
	r.renderNotice()
}

// forgetAccount drops the lines of a removed account.
func (a *App) forgetAccount(aor string) {
	r := &a.accts.reg
	key := accountKey(aor)
	if r.removed == nil {
		r.removed = map[string]bool{}
	}
	r.removed[key] = true
	delete(r.regs, key)
	delete(r.pubs, key)
	delete(r.lists, key)
	delete(r.at, key)
	delete(r.dismissed, key)
	r.render()
	r.renderNotice()
}

// registration returns the last reported state of aor, if any.
func (r *registrationView) registration(aor string) (sipclient.RegistrationChanged, bool) {
	if _, ok := r.regs[accountKey(aor)]; !ok {
		return sipclient.RegistrationChanged{}, false
	}
	return r.current(accountKey(aor)), true
}

func (r *registrationView) render() {
	if r.lines == nil {
		return // main window not built yet
	}
	keys := slices.DeleteFunc(slices.Sorted(maps.Keys(r.regs)), r.isDismissed)
	for len(r.line) < len(keys) {
		r.line = append(r.line, newRegLine(r))
	}
	r.line = r.line[:len(keys)]
	r.lines.Objects = r.lines.Objects[:0]
	for i, k := range keys {
		r.line[i].show(k, r.current(k))
		r.lines.Objects = append(r.lines.Objects, r.line[i].box)
	}
	r.lines.Refresh()
}

// regLine is one account's line in the main window: its state in words,
// Details, and ✕ to close a line about a failure.
type regLine struct {
	failure *failureLine
	dismiss *widget.Button
	box     *fyne.Container
	key     string // the account shown
}

func newRegLine(r *registrationView) *regLine {
	l := &regLine{failure: newFailureLine(r.win)}
	l.dismiss = widget.NewButtonWithIcon("", theme.CancelIcon(), func() { r.dismiss(l.key) })
	l.dismiss.Importance = widget.LowImportance
	l.box = container.NewBorder(nil, nil, nil, l.dismiss, l.failure.box)
	return l
}

func (l *regLine) show(key string, ev sipclient.RegistrationChanged) {
	l.key = key
	l.failure.words.Importance = registrationImportance(ev.State)
	l.failure.set(registrationText(ev), registrationDetail(ev))
	l.dismiss.Hidden = ev.State == sipclient.RegRegistered || ev.State == sipclient.RegRegistering
	l.box.Refresh()
}

// dismiss hides key's line until its state changes.
func (r *registrationView) dismiss(key string) {
	if r.dismissed == nil {
		r.dismissed = map[string]sipclient.RegistrationChanged{}
	}
	r.dismissed[key] = r.regs[key]
	r.render()
}

// isDismissed: the user closed key's line and nothing new came since: a
// retry failing the same way again stays closed.
func (r *registrationView) isDismissed(key string) bool {
	d, ok := r.dismissed[key]
	if !ok {
		return false
	}
	ev := r.regs[key]
	if d.State == ev.State && d.Code == ev.Code && d.Reason == ev.Reason {
		return true
	}
	delete(r.dismissed, key)
	return false
}

func (r *registrationView) renderNotice() {
	if r.notice == nil {
		return
	}
	var notes []string
	for _, k := range slices.Sorted(maps.Keys(r.pubs)) {
		if n := publicationText(r.pubs[k]); n != "" && !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.lists)) {
		if n := listText(r.lists[k]); n != "" {
			notes = append(notes, n)
		}
	}
	r.notice.SetText(strings.Join(notes, "\n"))
	r.notice.Hidden = len(notes) == 0
	r.notice.Refresh()
}

// registrationText is one account's line: "alice@example.com: registered"
// or "alice@example.com: not registered. Wrong user name or password.
// Check both. Parley tries again in 30 s."; the core's own words stay
// behind Details (registrationDetail).
func registrationText(ev sipclient.RegistrationChanged) string {
	who := displayAOR(ev.AOR)
	switch ev.State {
	case sipclient.RegRegistered:
		return who + ": registered"
	case sipclient.RegRegistering:
		return who + ": registering…"
	}
	s := who + ": not registered."
	if why := registrationReason(ev); why != "" {
		s += " " + why
	}
	if ev.RetryIn > 0 {
		s += " Parley tries again in " + durationText(ev.RetryIn) + "."
	}
	return s
}

// registrationReason words why an account is not registered.
func registrationReason(ev sipclient.RegistrationChanged) string {
	switch {
	case ev.Reason != "" || ev.Code != 0:
		return failureWords(failure.FromStatus(ev.Code, ev.Reason), serverParty(domainOf(ev.AOR)))
	case ev.State == sipclient.RegFailed:
		return failureWords(failure.Failure{Kind: failure.NoAnswer}, serverParty(domainOf(ev.AOR)))
	}
	return ""
}

// registrationDetail is the core's own account of a failure, for Details.
func registrationDetail(ev sipclient.RegistrationChanged) string {
	if ev.State == sipclient.RegRegistered || ev.State == sipclient.RegRegistering {
		return ""
	}
	return failure.FromStatus(ev.Code, ev.Reason).Detail
}

// domainOf is the domain of an address: example.com for
// sip:alice@example.com.
func domainOf(aor string) string {
	s := displayAOR(aor)
	if _, d, ok := strings.Cut(s, "@"); ok {
		return d
	}
	return s
}

func registrationImportance(state sipclient.RegistrationState) widget.Importance {
	switch state {
	case sipclient.RegRegistered:
		return widget.MediumImportance // plain text: the theme's green is too faint to read on white
	case sipclient.RegFailed:
		return widget.DangerImportance
	case sipclient.RegRegistering:
		return widget.LowImportance
	}
	return widget.MediumImportance
}

// publicationText is what the user should know about a publication
// state; "" when nothing.
func publicationText(ev sipclient.PublicationChanged) string {
	switch ev.State {
	case sipclient.PubUnsupported:
		return unsupportedPublication
	case sipclient.PubFailed:
		s := "Your status could not be published for " + displayAOR(ev.AOR) + "."
		if ev.Reason != "" || ev.Code != 0 {
			s += " " + failureWords(failure.FromStatus(ev.Code, ev.Reason), serverParty(domainOf(ev.AOR)))
		}
		return s
	}
	return ""
}

// durationText is a wait as people say it: "30 s", "5 min", "2 h".
func durationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return itoa(max(int(d.Round(time.Second)/time.Second), 1)) + " s"
	case d < time.Hour:
		return itoa(int(d.Round(time.Minute)/time.Minute)) + " min"
	}
	return itoa(int(d.Round(time.Hour)/time.Hour)) + " h"
}

// accountKey names an account's lines: its identity, so the events of one
// account match however its address is written.
func accountKey(aor string) string {
	if id, err := identity.Parse(aor); err == nil {
		return id.String()
	}
	return aor
}
