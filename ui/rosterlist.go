package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rosterItem is the template of one roster line: dot, name, status and
// note, unread badge, and a menu button; or a group header.
type rosterItem struct {
	widget.BaseWidget
	dot    *canvas.Image
	name   *widget.Label
	status *widget.Label
	badge  *widget.Label
	menu   *widget.Button
	header *widget.Label
	box    *fyne.Container
	ring   *canvas.Rectangle // outlines the row that has the keyboard focus
}

func newRosterItem() *rosterItem {
	it := &rosterItem{
		dot:    newMark(rosterMarkSide),
		name:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		status: widget.NewLabel(""),
		badge:  widget.NewLabel(""),
		menu:   widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), nil),
		header: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
	}
	it.status.Truncation = fyne.TextTruncateEllipsis
	it.name.Truncation = fyne.TextTruncateEllipsis // a long name must not widen the window
	it.badge.Importance = widget.HighImportance
	it.ring = canvas.NewRectangle(color.Transparent)
	it.ring.StrokeWidth = 2
	it.ring.CornerRadius = theme.SelectionRadiusSize()
	it.ring.Hide()
	text := container.NewVBox(it.name, it.status)
	line := container.NewBorder(nil, nil, markCell(it.dot), container.NewHBox(it.badge, it.menu), text)
	it.box = container.NewStack(line, it.header, it.ring)
	it.ExtendBaseWidget(it)
	return it
}

func (it *rosterItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.box)
}

// setFocused outlines the row while it has the keyboard focus.
func (it *rosterItem) setFocused(on bool) {
	if on == it.ring.Visible() {
		return
	}
	it.ring.StrokeColor = theme.Color(theme.ColorNamePrimary)
	it.ring.Hidden = !on
	it.ring.Refresh()
}

func (it *rosterItem) showHeader(group string) {
	it.box.Objects[0].Hide()
	it.header.SetText(group)
	it.header.Show()
}

func (it *rosterItem) showContact(c *contactState, onMenu func()) {
	it.header.Hide()
	it.box.Objects[0].Show()
	av := c.availability()
	setMark(it.dot, av)
	it.name.SetText(c.displayName())
	// Why a contact is unknown is told in Presence details, in words: the
	// row only says Unknown.
	it.status.SetText(c.statusLine())
	if c.unread > 0 {
		it.badge.SetText(itoa(c.unread) + " new")
		it.badge.Show()
	} else {
		it.badge.Hide()
	}
	it.menu.OnTapped = onMenu
}

// dotColors are the presence marks' colours per theme variant, each at
// least 3:1 against that variant's background so the mark stays readable
// (its shape tells the state too). Offline and unknown share grey.
var dotColors = map[fyne.ThemeVariant][availUnknown + 1]color.NRGBA{
	theme.VariantLight: {
		availOnline: {0x1f, 0x7a, 0x33, 0xff}, availAway: {0xa8, 0x68, 0x00, 0xff}, availBusy: {0xc6, 0x28, 0x28, 0xff},
		availOffline: {0x75, 0x75, 0x75, 0xff}, availUnknown: {0x75, 0x75, 0x75, 0xff},
	},
	theme.VariantDark: {
		availOnline: {0x4c, 0xc7, 0x64, 0xff}, availAway: {0xf0, 0xa0, 0x20, 0xff}, availBusy: {0xe0, 0x52, 0x52, 0xff},
		availOffline: {0xb2, 0xb2, 0xb2, 0xff}, availUnknown: {0xb2, 0xb2, 0xb2, 0xff},
	},
}

func dotColor(a availability, v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		v = theme.VariantDark
	}
	return dotColors[v][a]
}

// rosterList is the roster's list, driven from the keyboard too: Tab
// reaches it, the arrows move between rows (Fyne's List), Enter or Space
// opens the focused contact's chat, and the focused row is outlined in
// the theme's primary colour (the List's own focus mark, its hover
// shade, is too faint to see).
type rosterList struct {
	widget.List
	// focus mirrors the List's focused row, which it keeps to itself;
	// hasFocus: the list has the keyboard focus.
	focus    widget.ListItemID
	hasFocus bool
}

func (l *rosterList) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		ev = &fyne.KeyEvent{Name: fyne.KeySpace} // the List selects its focused row on Space
	case fyne.KeyDown:
		if l.Length != nil && l.focus < l.Length()-1 {
			l.focus++ // before the List redraws the rows it leaves and enters
		}
	case fyne.KeyUp:
		l.focus = max(l.focus-1, 0)
	}
	l.List.TypedKey(ev)
}

func (l *rosterList) FocusGained() {
	l.hasFocus = true
	l.List.FocusGained()
}

func (l *rosterList) FocusLost() {
	l.hasFocus = false
	l.List.FocusLost()
}

// focusedRow reports whether row id carries the keyboard focus.
func (l *rosterList) focusedRow(id widget.ListItemID) bool { return l.hasFocus && l.focus == id }

func (a *App) rosterList() *rosterList {
	l := &rosterList{}
	l.Length = func() int { return len(a.rows) }
	l.CreateItem = func() fyne.CanvasObject { return newRosterItem() }
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		it := o.(*rosterItem)
		if id >= len(a.rows) {
			return
		}
		it.setFocused(l.focusedRow(id))
		row := a.rows[id]
		if row.contact == nil {
			it.showHeader(row.group)
			return
		}
		c := row.contact
		it.showContact(c, func() { a.contactMenu(c, it.menu) })
	}
	l.OnSelected = func(id widget.ListItemID) {
		l.focus = id // a tap moves the List's focus there too
		l.UnselectAll()
		if id < len(a.rows) && a.rows[id].contact != nil {
			a.openChat(a.rows[id].contact)
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

// contactMenu offers the per-contact actions next to the row's button.
func (a *App) contactMenu(c *contactState, anchor fyne.CanvasObject) {
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Chat", func() { a.openChat(c) }),
		fyne.NewMenuItem("Presence details…", func() { a.showDiagnostics(c) }),
		fyne.NewMenuItem("Edit…", func() { a.showEditContact(c) }),
		fyne.NewMenuItem("Remove", func() { a.confirmRemove(c) }),
	)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor)
	widget.ShowPopUpMenuAtPosition(menu, a.win.Canvas(), pos.Add(fyne.NewPos(0, anchor.Size().Height)))
}

// rosterMarkSide is how big a roster row's presence mark is.
const rosterMarkSide = 16

// markCell gives the presence mark its column: every name starts at the
// same place, a padding after the mark.
func markCell(mark *canvas.Image) fyne.CanvasObject {
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(mark.MinSize().Width+theme.InnerPadding(), 0))
	return container.NewStack(space, container.NewCenter(mark))
}
