package ui

import (
	"slices"

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
	if len(conv.lines) <= maxShown {
		return
	}
	for _, l := range conv.lines[maxShown:] {
		if conv.marked == l.row {
			conv.unmark()
		}
	}
	conv.lines = conv.lines[:maxShown]
	conv.setAway(true)
}

// setAway records whether newer messages exist than the lines shown;
// while they do, a button leads back to them.
func (conv *conversation) setAway(away bool) {
	conv.away = away
	if away {
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
	conv.loading = false
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
	cw.loadPage(conv, "")
}

// around is the run of at most maxShown messages centred on id out of
// msgs (newest first), whether older ones remain beyond it, and whether
// newer ones in msgs were left out.
func around(msgs []sipclient.ChatMessage, more bool, id string) (run []sipclient.ChatMessage, older, newer bool) {
	i := slices.IndexFunc(msgs, func(m sipclient.ChatMessage) bool { return m.ID == id })
	if i < 0 {
		i = len(msgs) - 1
	}
	from := max(0, i-maxShown/2)
	to := min(len(msgs), from+maxShown)
	return msgs[from:to], more || to < len(msgs), from > 0
}
