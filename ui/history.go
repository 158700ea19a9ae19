package ui

import (
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// historyPage is how many stored messages one "load older" brings.
const historyPage = 50

// loadOlder fetches the page of stored messages before the oldest one
// shown (the newest page for a new conversation), off the Fyne thread.
func (cw *chatWindow) loadOlder(conv *conversation) {
	before := conv.oldestID()
	uri := conv.contact.URI
	cw.app.bg(func() {
		msgs, err := cw.app.core.History(cw.app.ctx, uri, before, historyPage)
		fyne.Do(func() { conv.prependHistory(msgs, err) })
	})
}

// prependHistory puts stored messages (newest first, as History returns
// them) above what is shown, skipping any already there.
func (conv *conversation) prependHistory(msgs []sipclient.ChatMessage, err error) {
	if err != nil {
		conv.more.SetText("History could not be read: " + err.Error())
		return
	}
	var older []*chatLine
	for _, m := range slices.Backward(msgs) {
		if conv.has(m.ID) {
			continue
		}
		l := historyLine(m)
		l.row = newChatRow(conv, l)
		if l.out && l.state != lineSent && l.state != lineStored {
			conv.cw.byID[l.id] = l // the outbox may still report on it
		}
		older = append(older, l)
	}
	conv.lines = append(older, conv.lines...)
	if len(msgs) < historyPage {
		conv.more.Hide()
	} else {
		conv.more.Show()
	}
	conv.rebuild()
}

func historyLine(m sipclient.ChatMessage) *chatLine {
	l := &chatLine{id: m.ID, out: m.Direction == "out", text: m.Text, at: m.At}
	switch m.State {
	case "pending":
		l.state = linePending
	case "sent":
		l.state = lineSent
	case "stored":
		l.state = lineStored
	case "failed":
		l.state, l.reason = lineFailed, strconv.Itoa(m.Code)+" "+m.Reason
	default:
		l.state = lineReceived
	}
	return l
}

func (conv *conversation) has(id string) bool {
	return id != "" && slices.ContainsFunc(conv.lines, func(l *chatLine) bool { return l.id == id })
}

func (conv *conversation) oldestID() string {
	for _, l := range conv.lines {
		if l.id != "" {
			return l.id
		}
	}
	return ""
}

// rebuild lays the conversation out again: the "load older" button, then
// the lines with a separator at each change of day.
func (conv *conversation) rebuild() {
	conv.box.RemoveAll()
	conv.box.Add(conv.more)
	var prev time.Time
	for _, l := range conv.lines {
		if prev.IsZero() || !sameDay(prev, l.at) {
			conv.box.Add(daySeparator(l.at))
		}
		prev = l.at
		conv.box.Add(l.row.box)
	}
	conv.box.Refresh()
}

func daySeparator(t time.Time) *widget.Label {
	return widget.NewLabelWithStyle("— "+dayLabel(t, time.Now())+" —", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
}
