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
	dot    *canvas.Text
	name   *widget.Label
	status *widget.Label
	badge  *widget.Label
	menu   *widget.Button
	header *widget.Label
	box    *fyne.Container
}

func newRosterItem() *rosterItem {
	it := &rosterItem{
		dot:    canvas.NewText("?", theme.Color(theme.ColorNameDisabled)),
		name:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		status: widget.NewLabel(""),
		badge:  widget.NewLabel(""),
		menu:   widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), nil),
		header: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
	}
	it.dot.TextSize = 18
	it.status.Truncation = fyne.TextTruncateEllipsis
	it.name.Truncation = fyne.TextTruncateEllipsis // a long name must not widen the window
	it.badge.Importance = widget.HighImportance
	text := container.NewVBox(it.name, it.status)
	line := container.NewBorder(nil, nil, markCell(it.dot), container.NewHBox(it.badge, it.menu), text)
	it.box = container.NewStack(line, it.header)
	it.ExtendBaseWidget(it)
	return it
}

func (it *rosterItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.box)
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
	it.dot.Text, it.dot.Color = av.dot(), dotColor(av, fyne.CurrentApp().Settings().ThemeVariant())
	it.dot.Refresh()
	it.name.SetText(c.displayName())
	// Why a contact is unknown is told in Presence details, in words: the
	// row only says Unknown.
	status := c.statusText()
	if c.note != "" {
		status += " — " + c.note
	}
	it.status.SetText(status)
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

func (a *App) rosterList() *widget.List {
	l := widget.NewList(
		func() int { return len(a.rows) },
		func() fyne.CanvasObject { return newRosterItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			it := o.(*rosterItem)
			if id >= len(a.rows) {
				return
			}
			row := a.rows[id]
			if row.contact == nil {
				it.showHeader(row.group)
				return
			}
			c := row.contact
			it.showContact(c, func() { a.contactMenu(c, it.menu) })
		},
	)
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		if id < len(a.rows) && a.rows[id].contact != nil {
			a.openChat(a.rows[id].contact)
		}
	}
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

// markCell gives the availability mark a cell of one width whatever the
// mark (● ◐ ■ ○ ?), so every name starts at the same place.
func markCell(mark *canvas.Text) fyne.CanvasObject {
	w := float32(0)
	for _, a := range []availability{availOnline, availAway, availBusy, availOffline, availUnknown} {
		w = max(w, fyne.MeasureText(a.dot(), mark.TextSize, mark.TextStyle).Width)
	}
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(w+theme.InnerPadding(), 0))
	return container.NewStack(space, container.NewCenter(mark))
}
