package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// autoAwayLabel is the status menu's entry while Parley shows the user
// Away because they left the desktop. It is only in the menu then.
const autoAwayLabel = "Away (idle)"

// applyStale marks a contact's presence as being checked after a
// wake-up, until its fresh NOTIFY.
func (a *App) applyStale(ev sipclient.PresenceStale) bool {
	c := a.contacts[ev.Peer]
	if c == nil {
		return false
	}
	c.stale = true
	return true
}

// showAutoAway shows the automatic Away in the status menu (with its own
// entry, so the user sees it was not their choice), or the user's own
// status again when it ends. It does not publish: the core did.
func (a *App) showAutoAway(ev sipclient.OwnPresenceChanged) {
	a.settingStatus = true
	defer func() { a.settingStatus = false }()
	a.autoAway = ev.Auto
	defer a.updateTray()
	labels := statusLabels()
	if ev.Auto {
		a.status.SetOptions(append(labels, autoAwayLabel))
		a.status.SetSelected(autoAwayLabel)
		return
	}
	a.status.SetOptions(labels)
	a.status.SetSelectedIndex(statusIndex(ev.Presence.Status))
}

// chosenStatus is the status the menu stands for: the entry picked, or
// under the automatic Away the status the user chose before it, so a
// note typed meanwhile keeps their choice.
func (a *App) chosenStatus() sipclient.Status {
	i := max(a.status.SelectedIndex(), 0)
	if i >= len(statusChoices) {
		return a.core.Presence().Status
	}
	return statusChoices[i].status
}

func statusLabels() []string {
	labels := make([]string, len(statusChoices))
	for i, s := range statusChoices {
		labels[i] = s.label
	}
	return labels
}

// awayUnavailable is the line under the status when auto-away is on but
// the desktop tells nothing: said, not guessed.
func awayUnavailable(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// leaveAutoAwayMenu takes the automatic entry out of the menu once the
// user chose a status (which ends the automatic Away in the core).
func (a *App) leaveAutoAwayMenu(st sipclient.Status) {
	if len(a.status.Options) == len(statusChoices) {
		return
	}
	a.settingStatus = true
	defer func() { a.settingStatus = false }()
	a.status.SetOptions(statusLabels())
	a.status.SetSelectedIndex(statusIndex(st))
}
