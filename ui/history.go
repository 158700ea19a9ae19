package ui

import (
	"context"
	"iter"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// historyPage is how many stored messages one "load older" brings.
const historyPage = 50

const loadOlderText = "Load older messages"

// loadOlder fetches the page of stored messages before the oldest one
// shown, off the Fyne thread. An older page goes above what is shown
// without moving it, so the line being read stays where it is.
func (cw *chatWindow) loadOlder(conv *conversation) {
	if !conv.loading {
		cw.loadPage(conv, conv.oldestID())
	}
}

// loadPage puts the page of stored messages before the message before
// above the lines shown; the first page (zero before) opens the
// conversation at its newest message.
func (cw *chatWindow) loadPage(conv *conversation, before sipclient.MessageID) {
	conv.loading = true
	gen, peer := conv.gen, conv.contact.ID
	cw.app.bg(func() {
		msgs, err := cw.app.core.History(cw.app.ctx, peer, before, historyPage)
		fyne.Do(func() {
			if gen != conv.gen {
				return // the lines were replaced meanwhile (chatwindowing.go)
			}
			conv.loading = false
			stay := conv.keepPlace(conv.first())
			conv.prependHistory(msgs, len(msgs) == historyPage, err)
			if before == 0 {
				conv.scrollToBottom()
				conv.unseen = true // the newest messages are on screen
				cw.tellSeen()
			} else {
				stay()
			}
		})
	})
}

// keepPlace notes where line l is in the view; the function it returns
// scrolls back there once lines were added or dropped around it, so the
// reader does not lose their place. A nil l keeps nothing.
func (conv *conversation) keepPlace(l *chatLine) func() {
	if l == nil {
		return func() {}
	}
	row := l.row.box
	dy := row.Position().Y - conv.scroll.Offset.Y
	return func() {
		conv.stick = false
		conv.scroll.Refresh() // lays the new rows out, so positions are known
		conv.scroll.ScrollToOffset(fyne.NewPos(0, max(row.Position().Y-dy, 0)))
	}
}

// jumpTo shows the stored message id in conv, scrolled to and marked. An
// older message than those shown is reached by reading every page
// between; if that is more than a conversation shows at once, it shows
// the messages around the hit instead and goes away from the newest.
func (cw *chatWindow) jumpTo(conv *conversation, id sipclient.MessageID) {
	if conv.has(id) {
		conv.reveal(id)
		return
	}
	peer, before, gen := conv.contact.ID, conv.oldestID(), conv.gen
	fromNewest := conv.away // the hit may be newer than the lines shown
	if fromNewest {
		before = 0
	}
	conv.arrived = false
	cw.app.bg(func() {
		msgs, more, err := historyThrough(cw.app.ctx, cw.app.core, peer, before, id)
		fyne.Do(func() {
			if gen != conv.gen {
				return
			}
			if err == nil && (fromNewest || len(conv.lines)+len(msgs) > maxShown) {
				var newer bool
				msgs, more, newer = around(msgs, more, id)
				conv.clearLines()
				// Away unless the run reaches the newest message (and
				// none came after the read, which it would lack).
				conv.setAway(newer || !fromNewest || conv.arrived)
			}
			conv.prependHistory(msgs, more, err)
			conv.reveal(id)
		})
	})
}

// historyThrough fetches pages older than before until one holds id or
// passes it (IDs grow with time), or the history ends; more says whether
// older messages may remain.
func historyThrough(ctx context.Context, core Core, peer identity.ID, before, id sipclient.MessageID) (msgs []sipclient.ChatMessage, more bool, err error) {
	for {
		page, err := core.History(ctx, peer, before, historyPage)
		if err != nil {
			return nil, true, err
		}
		msgs = append(msgs, page...)
		if len(page) < historyPage {
			return msgs, false, nil
		}
		before = page[len(page)-1].ID
		if slices.ContainsFunc(page, func(m sipclient.ChatMessage) bool { return m.ID == id }) || before < id {
			return msgs, true, nil
		}
	}
}

// reveal scrolls conv so the message id sits mid-view and marks it (the
// mark stays until another message is revealed or the search is cleared).
func (conv *conversation) reveal(id sipclient.MessageID) {
	i := slices.IndexFunc(conv.lines, func(l *chatLine) bool { return l.id == id })
	if i < 0 {
		return // not in this conversation's history any more
	}
	row := conv.lines[i].row
	conv.unmark()
	conv.stick = false
	conv.marked = row
	row.setMarked(true)
	conv.scroll.Refresh() // lays out rows added just now, so positions are known
	y := row.box.Position().Y - (conv.scroll.Size().Height-row.box.Size().Height)/2
	conv.scroll.ScrollToOffset(fyne.NewPos(0, max(y, 0)))
}

func (conv *conversation) unmark() {
	if conv.marked != nil {
		conv.marked.setMarked(false)
		conv.marked = nil
	}
}

// prependHistory puts stored messages (newest first, as History returns
// them) above what is shown, skipping any already there; more says whether
// older ones remain to be loaded.
func (conv *conversation) prependHistory(msgs []sipclient.ChatMessage, more bool, err error) {
	if err != nil {
		conv.more.SetText("History could not be read; tap to try again")
		conv.cw.app.log.Info("history", "error", err)
		conv.more.Show() // the message is on the button, and tapping it tries again
		return
	}
	older := conv.newLines(slices.Backward(msgs))
	conv.lines = append(older, conv.lines...)
	conv.trimNewest()
	conv.more.SetText(loadOlderText) // it may still say why the last try failed
	if more {
		conv.more.Show()
	} else {
		conv.more.Hide()
	}
	conv.rebuild()
}

// newLines makes lines, in the order given, for the stored messages not
// shown yet.
func (conv *conversation) newLines(msgs iter.Seq2[int, sipclient.ChatMessage]) []*chatLine {
	shown := make(map[sipclient.MessageID]bool, len(conv.lines))
	for _, l := range conv.lines {
		shown[l.id] = l.id != 0
	}
	var out []*chatLine
	for _, m := range msgs {
		if shown[m.ID] {
			continue
		}
		l := historyLine(m)
		l.row = newChatRow(conv, l)
		if l.out && l.state != lineRead {
			conv.cw.byID[l.id] = l // the outbox or the peer's receipts may still report on it
		}
		out = append(out, l)
	}
	return out
}

func historyLine(m sipclient.ChatMessage) *chatLine {
	l := &chatLine{id: m.ID, out: m.Direction == history.Out, text: m.Text, at: m.At, state: lineReceived}
	switch {
	case m.ContentType == sipclient.ContentTypeMissedCall:
		l.state = lineMissed
	case l.out:
		l.state, l.readAt = lineState(m.State), m.ReadAt
	}
	if l.state == lineFailed {
		l.fail = failure.FromStatus(m.Code, m.Reason)
		l.retryAt = m.RetryAt
	}
	return l
}

func (conv *conversation) has(id sipclient.MessageID) bool {
	return id != 0 && slices.ContainsFunc(conv.lines, func(l *chatLine) bool { return l.id == id })
}

func (conv *conversation) oldestID() sipclient.MessageID {
	for _, l := range conv.lines {
		if l.id != 0 {
			return l.id
		}
	}
	return 0
}

// rebuild lays the conversation out again: the "load older" button, then
// the lines with a separator at each change of day. The rows are set in
// one go and laid out once: Container.Add lays out the whole box at every
// call, which made a jump 1,000 messages back take 3 s.
func (conv *conversation) rebuild() {
	objs := make([]fyne.CanvasObject, 0, 1+2*len(conv.lines))
	objs = append(objs, conv.more)
	var prev *chatLine
	for _, l := range conv.lines {
		if prev == nil || !sameDay(prev.at, l.at) {
			objs = append(objs, daySeparator(l.at))
		}
		l.row.setHead(!sameGroup(prev, l))
		prev = l
		objs = append(objs, l.row.box)
	}
	conv.box.Objects = objs
	conv.box.Refresh()
}

func daySeparator(t time.Time) *widget.Label {
	return widget.NewLabelWithStyle("— "+dayLabel(t, time.Now())+" —", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
}
