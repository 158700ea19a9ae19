package ui

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// searchLimit is the most hits one search shows; the store stops there, so
// a common word costs no more than a rare one.
const searchLimit = 100

// snippetRunes is about how much of a hit's text a result row shows.
const snippetRunes = 80

// searchView is a message search: an entry and the hits, newest first.
// Every change of the query searches off the Fyne thread (the history is
// a database); a result that arrives after a newer query was typed is
// dropped, so fast typing never shows stale hits.
type searchView struct {
	app   *App
	peer  identity.ID // the one conversation searched; zero searches them all
	entry *searchEntry
	note  *widget.Label // no hits, too many, or why the search failed
	list  *widget.List
	view  *fyne.Container // note above list
	hits  []sipclient.ChatMessage
	query string
	seq   int
	// inFlight counts searches on their way; again asks for one more
	// after them because the history changed meanwhile.
	inFlight int
	again    bool
	// who names a hit's sender for its row; onPick opens a tapped hit;
	// onActive is told when a query is typed (true) or cleared (false).
	who      func(sipclient.ChatMessage) string
	onPick   func(sipclient.ChatMessage)
	onActive func(bool)
}

func newSearchView(a *App, peer identity.ID, placeholder string) *searchView {
	s := &searchView{app: a, peer: peer, note: widget.NewLabel("")}
	s.entry = newSearchEntry(placeholder)
	s.entry.OnChanged = s.search
	s.entry.ActionItem = widget.NewButtonWithIcon("", theme.CancelIcon(), func() { s.entry.SetText("") })
	s.note.Wrapping = fyne.TextWrapWord
	s.note.Hide()
	s.list = widget.NewList(func() int { return len(s.hits) }, newHitRow, s.updateHitRow)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.Unselect(id) // a hit is an action, not a choice: it can be tapped again
		if id < len(s.hits) {
			s.onPick(s.hits[id])
		}
	}
	s.view = container.NewBorder(s.note, nil, nil, nil, s.list)
	return s
}

// search runs the query as typed.
func (s *searchView) search(text string) {
	q := strings.TrimSpace(text)
	if q == "" {
		s.seq++
		s.show(nil, nil, "", true)
		s.onActive(false)
		return
	}
	s.onActive(true)
	s.run(q, true)
}

// refresh searches again because the history changed (a message came or
// was sent), leaving the hits scrolled where they were. While a search is
// on its way a burst of messages costs one more search, not one each.
func (s *searchView) refresh() {
	q := strings.TrimSpace(s.entry.Text)
	switch {
	case q == "":
	case s.inFlight > 0:
		s.again = true
	default:
		s.run(q, false)
	}
}

// run searches for q off the Fyne thread and shows the hits unless a newer
// search started meanwhile; top scrolls them to the first.
func (s *searchView) run(q string, top bool) {
	s.seq++
	s.inFlight++
	seq := s.seq
	core, ctx, peer := s.app.core, s.app.ctx, s.peer
	s.app.bg(func() {
		var hits []sipclient.ChatMessage
		var err error
		if peer.IsZero() {
			hits, err = core.Search(ctx, q, searchLimit)
		} else {
			hits, err = core.SearchConversation(ctx, peer, q, searchLimit)
		}
		fyne.Do(func() {
			s.inFlight--
			if seq == s.seq {
				s.show(hits, err, q, top)
			}
			if s.inFlight == 0 && s.again {
				s.again = false
				s.refresh()
			}
		})
	})
}

func (s *searchView) show(hits []sipclient.ChatMessage, err error, q string, top bool) {
	s.hits, s.query = hits, q
	switch {
	case err != nil:
		s.note.SetText("Search failed. Try again.")
		s.app.log.Info("search", "error", err)
	case q != "" && len(hits) == 0:
		s.note.SetText("No messages contain “" + q + "”.")
	case len(hits) >= searchLimit:
		s.note.SetText("The newest " + itoa(len(hits)) + " matches; add a word to narrow them down.")
	default:
		s.note.SetText("")
	}
	s.note.Hidden = s.note.Text == ""
	s.view.Refresh()
	if top {
		s.list.ScrollToTop()
	}
}

func newHitRow() fyne.CanvasObject {
	meta, text := widget.NewLabel(""), widget.NewLabel("")
	meta.TextStyle = fyne.TextStyle{Italic: true}
	meta.Truncation, text.Truncation = fyne.TextTruncateEllipsis, fyne.TextTruncateEllipsis
	return container.NewVBox(meta, text)
}

func (s *searchView) updateHitRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(s.hits) {
		return
	}
	m, rows := s.hits[id], o.(*fyne.Container).Objects
	rows[0].(*widget.Label).SetText(s.who(m) + " · " + dayLabel(m.At, time.Now()) + " " + clock(m.At))
	rows[1].(*widget.Label).SetText(snippet(m.Text, s.query, snippetRunes))
}

// snippet is text on one line, cut to about n runes around the first word
// of query it holds, so the match shows even in a narrow list.
func snippet(text, query string, n int) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) <= n {
		return string(r)
	}
	at := 0
	if words := strings.Fields(query); len(words) > 0 {
		at = max(indexFold(r, []rune(words[0])), 0)
	}
	start := max(0, min(at-n/4, len(r)-n))
	out := string(r[start : start+n])
	if start > 0 {
		out = "…" + out
	}
	if start+n < len(r) {
		out += "…"
	}
	return out
}

// indexFold is the index of sub in s, ignoring case, or -1.
func indexFold(s, sub []rune) int {
	fold := func(a, b rune) bool { return unicode.ToLower(a) == unicode.ToLower(b) }
	for i := 0; i+len(sub) <= len(s); i++ {
		if slices.EqualFunc(s[i:i+len(sub)], sub, fold) {
			return i
		}
	}
	return -1
}

// messageSearch builds the main window's search across every conversation:
// the entry, and a centre in which the hits take the roster's place while
// a query is typed.
func (a *App) messageSearch(roster fyne.CanvasObject) (entry, center fyne.CanvasObject) {
	s := newSearchView(a, identity.ID{}, "Search all messages")
	s.who = func(m sipclient.ChatMessage) string {
		if m.Direction == history.Out {
			return "You to " + a.peerName(m)
		}
		return a.peerName(m)
	}
	s.onPick = a.openHit
	s.onActive = func(on bool) {
		if on {
			roster.Hide()
			s.view.Show()
		} else {
			s.view.Hide()
			roster.Show()
		}
	}
	s.view.Hide()
	a.find = s
	return s.entry, container.NewStack(roster, s.view)
}

// historyChanged refreshes the searches that may now find more: the one
// across all conversations and the one in peer's conversation.
func (a *App) historyChanged(peer identity.ID) {
	if a.find != nil {
		a.find.refresh()
	}
	if conv := a.chats.convs[peer]; conv != nil && conv.find != nil {
		conv.find.refresh()
	}
}

// contactForHit is the contact a hit's conversation is with, or nil.
func (a *App) contactForHit(m sipclient.ChatMessage) *contactState {
	return a.contacts[m.Peer]
}

func (a *App) peerName(m sipclient.ChatMessage) string {
	if c := a.contactForHit(m); c != nil {
		return c.displayName()
	}
	return m.Peer.String()
}

// openHit opens the hit's conversation at the hit.
func (a *App) openHit(m sipclient.ChatMessage) {
	c := a.contactForHit(m)
	if c == nil {
		showInformation("Not in your contacts", m.Peer.String()+" is not in your contacts. Add them to open the conversation.", a.win)
		return
	}
	a.openChat(c)
	a.chats.jumpTo(a.chats.convs[c.ID], m.ID)
}

// conversationSearch builds a conversation's search: the entry for its
// bar, and a centre that shows the hits above the messages while a query
// is typed, so picking one hit after another scrolls the messages below.
func (conv *conversation) conversationSearch() (entry, center fyne.CanvasObject) {
	s := newSearchView(conv.cw.app, conv.contact.ID, "Search this conversation")
	s.who = func(m sipclient.ChatMessage) string {
		if m.Direction == history.Out {
			return "You"
		}
		return conv.contact.displayName()
	}
	s.onPick = func(m sipclient.ChatMessage) { conv.cw.jumpTo(conv, m.ID) }
	split := container.NewVSplit(s.view, container.New(bottomPin{conv}, conv.scroll))
	split.Offset = 0.35
	s.onActive = func(on bool) {
		s.view.Hidden = !on
		if !on {
			conv.unmark()
		}
		split.Refresh()
	}
	s.view.Hide()
	conv.find = s
	return s.entry, split
}
