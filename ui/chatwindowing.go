package ui

import (
	"slices"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/sipclient"
)

// maxShown is the most lines a conversation keeps on screen. Every layout
// measures every row: with 5,000 rows each page of older messages took
// 0.4 s of the Fyne thread. Climbing further into the history drops the
// newest lines, and the conversation is then away from the newest until
// the reader goes back down.
const maxShown = 500

const (
	latestText = "Latest messages ↓"
	newText    = "New messages ↓"
)

// trimNewest drops the newest lines beyond maxShown.
func (conv *conversation) trimNewest() {
	if len(conv.lines) > maxShown {
		conv.keep(0, maxShown)
		conv.setAway(true)
	}
}

// keep keeps lines[from:to] and drops the others (and the search mark if
// it was on one of them).
func (conv *conversation) keep(from, to int) {
	for i, l := range conv.lines {
		if (i < from || i >= to) && conv.marked == l.row {
			conv.unmark()
		}
	}
	conv.lines = conv.lines[from:to]
}

// loadNewer appends the page of stored messages after the newest one
// shown: a reader away from the newest messages who scrolls down reads on.
// Beyond maxShown the oldest lines go; a short page reaches the newest.
func (cw *chatWindow) loadNewer(conv *conversation) {
	last := conv.last()
	if last == nil || last.id == 0 {
		return
	}
	conv.loading, conv.arrived = true, false
	gen, peer, after := conv.gen, conv.contact.ID, last.id
	cw.app.bg(func() {
		msgs, err := cw.app.core.HistoryAfter(cw.app.ctx, peer, after, historyPage)
		fyne.Do(func() {
			if gen != conv.gen {
				return
			}
			conv.loading = false
			if err != nil {
				conv.newBelow.SetText("Newer messages could not be read; tap for the latest")
				cw.app.log.Info("history", "error", err)
				return
			}
			stay := conv.keepPlace(last)
			conv.lines = append(conv.lines, conv.newLines(slices.All(msgs))...)
			conv.trimOldest()
			reached := len(msgs) < historyPage
			if reached && !conv.arrived {
				conv.setAway(false)
			}
			conv.rebuild()
			stay()
			if reached && conv.arrived {
				cw.loadNewer(conv) // one came after the read: read it too
			}
		})
	})
}

// trimOldest drops the oldest lines beyond maxShown; they can be loaded
// again from the top.
func (conv *conversation) trimOldest() {
	if n := len(conv.lines); n > maxShown {
		conv.keep(n-maxShown, n)
		conv.more.SetText(loadOlderText)
		conv.more.Show()
	}
}

func (conv *conversation) first() *chatLine {
	if len(conv.lines) == 0 {
		return nil
	}
	return conv.lines[0]
}

func (conv *conversation) last() *chatLine {
	if len(conv.lines) == 0 {
		return nil
	}
	return conv.lines[len(conv.lines)-1]
}

// setAway records whether newer messages exist than the lines shown;
// while they do, a button leads back to them.
func (conv *conversation) setAway(away bool) {
	conv.away = away
	if away {
		conv.stick = false // the newest line is not here to stick to
		conv.newBelow.SetText(latestText)
		conv.newBelow.Show()
	} else {
		conv.newBelow.Hide()
	}
}

// clearLines empties the conversation for other lines; a page still on
// its way for the old ones is dropped when it comes.
func (conv *conversation) clearLines() {
	conv.gen++
	conv.loading, conv.stick = false, false
	conv.unmark()
	conv.lines = nil
	conv.rebuild()
}

// goDown is the new-messages button: back to the newest page when away
// from it, else down to the last line.
func (conv *conversation) goDown() {
	if conv.away {
		conv.cw.showLatest(conv)
		return
	}
	conv.scrollToBottom()
}

// showLatest puts the conversation back at its newest page. Lines added
// before the page comes (what the user sends at once) stay under it.
func (cw *chatWindow) showLatest(conv *conversation) {
	conv.clearLines()
	conv.setAway(false)
	cw.loadPage(conv, 0)
}

// around is the run of at most maxShown messages centred on id out of
// msgs (newest first), whether older ones remain beyond it, and whether
// newer ones in msgs were left out.
func around(msgs []sipclient.ChatMessage, more bool, id sipclient.MessageID) (run []sipclient.ChatMessage, older, newer bool) {
	i := slices.IndexFunc(msgs, func(m sipclient.ChatMessage) bool { return m.ID == id })
	if i < 0 {
		i = len(msgs) - 1
	}
	from := max(0, i-maxShown/2)
	to := min(len(msgs), from+maxShown)
	return msgs[from:to], more || to < len(msgs), from > 0
}
