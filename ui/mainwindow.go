package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
)

// statusChoices are the own-status menu entries, in menu order.
var statusChoices = []struct {
	label  string
	status sipclient.Status
}{
	{"Available", sipclient.StatusAvailable},
	{"Away", sipclient.StatusAway},
	{"Busy", sipclient.StatusBusy},
	{"Do not disturb", sipclient.StatusDND},
	{"On the phone", sipclient.StatusOnThePhone},
	{"Appear offline", sipclient.StatusOffline},
}

// problemBanner is where problems with the user's own setup are told,
// until the user dismisses them.
func (a *App) problemBanner() fyne.CanvasObject {
	a.banner = wrapLabel("")
	a.banner.minWidth = failureWrapWidth
	a.banner.Importance = widget.DangerImportance
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), nil)
	a.bannerDetails = newFailureLine(func() fyne.Window { return a.win })
	a.bannerDetails.details.Hide()
	box := container.NewBorder(nil, nil, nil, dismiss, container.NewBorder(nil, nil, nil, a.bannerDetails.details, a.banner))
	dismiss.OnTapped = box.Hide
	a.bannerBox = box
	box.Hide()
	return box
}

func (a *App) buildMainWindow() {
	a.headerHeight = widget.NewLabel("Group").MinSize().Height
	a.rowHeight = newRosterItem().MinSize().Height
	a.win = a.opt.Window
	if a.win == nil {
		a.win = a.fa.NewWindow("Parley")
	}
	a.win.SetMaster()
	// The account lines and the banner scroll past a third of the window
	// opened: a long failure never makes the window taller than a screen.
	top := container.NewVBox(a.statusBar(), a.addressBar(),
		newCappedScroll(container.NewVBox(a.registrationBox(), a.problemBanner()), 180))
	a.filter = newSearchEntry("Filter contacts")
	a.filter.OnChanged = func(string) { a.refreshRoster() }
	a.list = a.rosterList()
	a.reqBtn = widget.NewButton("Message requests", a.showRequests)
	a.reqBtn.Hide()
	// The requests button on a line of its own: beside the others it made
	// the window wider than it opens.
	bottom := container.NewVBox(a.reqBtn, a.laterMark(), container.NewHBox(widget.NewButton("Add contact…", a.showAddContact), a.accountsButton(), a.privacyButton()))
	a.empty = wrapLabel("No contacts yet. Add one with “Add contact…”, and give people your address above so they can add you.")
	a.empty.Alignment = fyne.TextAlignCenter
	listArea := container.NewStack(a.list, container.NewCenter(a.empty))
	if a.opt.OnFirstFrame != nil {
		// Beside the roster, not around the window's content: Fyne lays
		// out again only the parent of a part whose minimum grew, and a
		// wrapper at the root kept a new account line 0 px tall.
		listArea.Add(firstFrameProbe(a.opt.OnFirstFrame))
	}
	search, center := a.messageSearch(listArea)
	body := inOrder(container.NewVBox(a.filter, search), bottom, nil, nil, center)
	content := inOrder(top, nil, nil, nil, body)
	a.mainSize = a.keepSize(a.win, prefMainSize, fyne.NewSize(360, 560), content) // winsize.go
	a.mainShortcuts(a.find.entry)
	a.refreshRoster()
}

func (a *App) statusBar() fyne.CanvasObject {
	labels := statusLabels()
	// The menu starts at the status the core restored, without publishing
	// it again: the core already did.
	own := a.core.Presence()
	a.status = widget.NewSelect(labels, nil)
	a.status.SetSelectedIndex(statusIndex(own.Status))
	a.status.OnChanged = func(string) { a.publishStatus() }
	a.note = widget.NewEntry()
	a.note.SetText(own.Note)
	a.note.SetPlaceHolder("What are you up to?")
	a.note.OnSubmitted = func(string) { a.publishStatus() }
	bar := inOrder(nil, nil, widestChoice(a.status, append(labels, autoAwayLabel)), nil, a.note)
	if a.opt.AwayUnavailable != "" && a.autoAwayOn() {
		return container.NewVBox(bar, awayUnavailable(a.opt.AwayUnavailable))
	}
	return bar
}

// widestChoice keeps a Select as wide as its longest choice, so "Do not
// disturb" is never cut once chosen.
func widestChoice(s *widget.Select, labels []string) fyne.CanvasObject {
	w := float32(0)
	for _, l := range labels {
		w = max(w, fyne.MeasureText(l, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(w+theme.IconInlineSize()+4*theme.InnerPadding(), 0))
	return container.NewStack(space, s)
}

// statusIndex is the menu entry of a status; Available for none.
func statusIndex(s sipclient.Status) int {
	for i, c := range statusChoices {
		if c.status == s {
			return i
		}
	}
	return 0
}

// publishStatus sends the chosen status and note to the core, which
// notifies watchers in its own goroutines.
func (a *App) publishStatus() {
	if a.note == nil || a.settingStatus {
		return // still building the window, or showing what the core did
	}
	p := sipclient.Presence{Status: a.chosenStatus(), Note: a.note.Text}
	a.leaveAutoAwayMenu(p.Status)
	a.autoAway = false // the user's choice ends the automatic Away (the core's too)
	if err := a.core.SetPresence(a.ctx, p); err != nil {
		a.showProblemDetail("Your status could not be published. "+failureWords(failure.Of(err), serverParty(domainOf(a.core.AOR()))), err.Error())
	}
	a.updateTray()
}

func (a *App) addressBar() fyne.CanvasObject {
	addr := widget.NewLabel("Your address: " + a.core.AOR())
	addr.Wrapping = fyne.TextWrapBreak                // people read it out and copy it: never cut it
	copyBtn := copyButton(a.fa.Clipboard, a.core.AOR) // says "Copied ✓" for a moment
	return container.NewBorder(nil, nil, nil, copyBtn, addr)
}

// refreshRoster re-sorts and re-filters the roster and redraws it.
func (a *App) refreshRoster() {
	if a.list == nil {
		return
	}
	all := make([]*contactState, 0, len(a.contacts))
	for _, c := range a.contacts {
		all = append(all, c)
	}
	a.rows = rosterRows(all, a.filter.Text)
	a.keepUnread()
	if len(all) == 0 {
		a.empty.Show()
	} else {
		a.empty.Hide()
	}
	a.setRowHeights()
	a.list.Refresh()
}

// setRowHeights gives group headers one line's height and every row that
// was a header before back a contact's height (heights go by index).
func (a *App) setRowHeights() {
	for _, i := range a.headers {
		a.list.SetItemHeight(i, a.rowHeight)
	}
	a.headers = a.headers[:0]
	for i, r := range a.rows {
		if r.contact == nil {
			a.list.SetItemHeight(i, a.headerHeight)
			a.headers = append(a.headers, i)
		}
	}
}
