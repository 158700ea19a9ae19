package ui

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/identity"
)

// Message states shown in a chat.
const (
	lineReceived = "received"
	linePending  = "sending"
	lineSent     = "sent"
	lineStored   = "stored"
	lineFailed   = "failed"
	// The peer's receipts (IMDN) move a sent message on.
	lineDelivered = "delivered"
	lineRead      = "read"
	// A call Parley could not take, shown among the messages.
	lineMissed = "missed call"
)

// chatLine is one message in a conversation.
type chatLine struct {
	id    sipclient.MessageID // the core's message ID; zero until the core took ours
	out   bool
	text  string
	at    time.Time
	state string
	fail  failure.Failure // lineFailed: why, classified
	// retryAt is when the core sends a failed message again by itself.
	retryAt time.Time
	readAt  time.Time // lineRead: when the peer's display notification came
	// sentAt is when the peer says it sent the message (CPIM), kept when
	// it is more than a minute from when it came.
	sentAt time.Time
	// warning is the core's words on a message whose CPIM sender or
	// recipient disagrees with SIP's.
	warning string
	row     *chatRow
}

// chatWindow holds one tab per conversation. Tabs, not windows: a Fyne
// window costs about 12 MB here and a tab about 2 MB, and one window is
// easier to find.
type chatWindow struct {
	app   *App
	win   fyne.Window
	tabs  *container.DocTabs
	convs map[identity.ID]*conversation     // by contact
	byID  map[sipclient.MessageID]*chatLine // our messages by ID, for status events
	early map[sipclient.MessageID]sipclient.MessageStatus
	dirty map[*conversation]bool // lines added, to be laid out (flush)
	// sending counts the messages handed to the core whose ID has not come
	// back yet: only then can a status be early (see status).
	sending int
	size    *sizeKeeper // remembers the window's size (winsize.go)
	// active: the chat window has the keyboard; quiet: a tab is being
	// selected by the app, not the user (chatfocus.go).
	active, quiet bool
	// shown: the window was shown and not closed since.
	shown bool
}

func newChatWindow(a *App) *chatWindow {
	return &chatWindow{app: a, convs: map[identity.ID]*conversation{}, byID: map[sipclient.MessageID]*chatLine{},
		early: map[sipclient.MessageID]sipclient.MessageStatus{}, dirty: map[*conversation]bool{}}
}

func (cw *chatWindow) ensureWindow() {
	if cw.win != nil {
		return
	}
	cw.win = cw.app.fa.NewWindow("Parley — Chats")
	cw.tabs = container.NewDocTabs()
	cw.tabs.OnClosed = func(t *container.TabItem) {
		for _, c := range cw.convs {
			if c.tab == t {
				c.tab = nil
				c.typer.stop()
			}
		}
	}
	cw.tabs.OnSelected = cw.selected
	size := cw.app.keepSize(cw.win, prefChatSize, fyne.NewSize(520, 480), cw.tabs)
	cw.size = size
	cw.chatShortcuts()
	cw.win.SetOnClosed(func() {
		size.save()
		cw.win, cw.active, cw.shown = nil, false, false
		for _, c := range cw.convs {
			c.tab = nil
			c.typer.stop()
		}
	})
}

// conversationFor returns the conversation with c, creating it (and its
// tab) when needed.
func (cw *chatWindow) conversationFor(c *contactState) *conversation {
	cw.ensureWindow()
	conv := cw.convs[c.ID]
	if conv == nil {
		conv = newConversation(cw, c)
		cw.convs[c.ID] = conv
		cw.loadOlder(conv)
	}
	if conv.tab == nil {
		conv.tab = container.NewTabItemWithIcon(tabTitle(c), markResource(c.availability(), currentVariant()), conv.view)
		cw.tabs.Append(conv.tab)
		conv.showTyping()
	}
	return conv
}

// open shows c's conversation and focuses its input.
func (a *App) openChat(c *contactState) {
	conv := a.chats.conversationFor(c)
	a.chats.tabs.Select(conv.tab)
	a.chats.show()
	a.chats.win.RequestFocus()
	a.chats.win.Canvas().Focus(conv.entry)
	c.unread = 0
	a.refreshRoster()
}

func (cw *chatWindow) markRead(t *container.TabItem) {
	for _, conv := range cw.convs {
		if conv.tab == t && conv.contact.unread > 0 {
			conv.contact.unread = 0
			conv.retitle()
			cw.app.refreshRoster()
		}
	}
}

// incoming shows a message (or a missed call) from a contact: it opens
// the chat if needed, and counts it unread unless its tab is the one in
// front.
func (cw *chatWindow) incoming(c *contactState, m sipclient.MessageReceived) {
	conv := cw.conversationFor(c)
	if !conv.has(m.ID) { // a new chat shows it already, from history
		conv.add(receivedLine(m))
	}
	front := cw.tabs.Selected() == conv.tab && cw.app.inFront
	if !front {
		c.unread++
		conv.retitle()
	}
	conv.unseen = true
	if cw.tabs.Selected() == nil {
		cw.quiet = true
		cw.tabs.Select(conv.tab)
		cw.quiet = false
	}
	// Under Do not disturb a new message waits behind the unread marks
	// (roster, tray) instead of popping the chat window up.
	if cw.shown || !cw.app.silenced() {
		cw.show()
	}
	if !cw.app.inFront {
		title, body := notification(c.displayName(), m)
		cw.app.notify(title, body, c.ID.String())
	}
}

// show shows the chat window.
func (cw *chatWindow) show() {
	cw.win.Show()
	cw.shown = true
}

// receivedLine is the line for a message received.
func receivedLine(m sipclient.MessageReceived) *chatLine {
	l := &chatLine{id: m.ID, text: m.Text, at: m.At, state: lineReceived, warning: m.Mismatch}
	if m.ContentType == sipclient.ContentTypeMissedCall {
		l.state = lineMissed
	}
	if d := m.At.Sub(m.SentAt); !m.SentAt.IsZero() && (d > time.Minute || d < -time.Minute) {
		l.sentAt = m.SentAt
	}
	return l
}

// notification is the desktop notification for a message from name.
func notification(name string, m sipclient.MessageReceived) (title, body string) {
	if m.ContentType == sipclient.ContentTypeMissedCall {
		return "Missed call", missedCallText(name, m.At)
	}
	return "Message from " + name, m.Text
}

// send puts text in the conversation at once as "sending" (local echo) and
// hands it to the core; the outcome arrives as a MessageStatus event.
func (cw *chatWindow) send(conv *conversation, text string) {
	if conv.away { // what is sent goes under the newest messages, loaded above it
		cw.showLatest(conv)
	}
	line := &chatLine{out: true, text: text, at: time.Now(), state: linePending}
	conv.add(line)
	conv.flush()
	cw.deliver(conv, line)
}

// deliver hands a new message to the core, which stores it in its outbox
// (disk I/O, so off the Fyne thread) and sends it.
func (cw *chatWindow) deliver(conv *conversation, line *chatLine) {
	uri, text := conv.contact.URI, line.text
	cw.sending++
	cw.app.bg(func() {
		id, err := cw.app.core.SendMessage(cw.app.ctx, uri, text)
		fyne.Do(func() { cw.accepted(conv, line, id, err) })
	})
}

// accepted records the ID the core gave a message; a status that raced
// ahead of it is applied now.
func (cw *chatWindow) accepted(conv *conversation, line *chatLine, id sipclient.MessageID, err error) {
	cw.sending--
	if cw.sending == 0 {
		defer clear(cw.early) // what is left there was for messages out of view
	}
	if err != nil {
		line.state, line.fail = lineFailed, failure.Of(err)
		line.row.update(line)
		return
	}
	line.id = id
	cw.byID[id] = line
	// A page read while the message was being stored may hold it already:
	// the echo stays, the copy from the page goes.
	if i := slices.IndexFunc(conv.lines, func(l *chatLine) bool { return l.id == id && l != line }); i >= 0 {
		conv.remove(conv.lines[i])
	}
	cw.app.historyChanged(conv.contact.ID)
	if ev, ok := cw.early[id]; ok {
		delete(cw.early, id)
		cw.status(ev)
	}
}

// retry sends a failed message again: the same message in the outbox when
// the core has it, else as a new one.
func (cw *chatWindow) retry(conv *conversation, line *chatLine) {
	line.state, line.fail, line.retryAt = linePending, failure.Failure{}, time.Time{}
	line.row.update(line)
	if line.id == 0 {
		cw.deliver(conv, line)
		return
	}
	id := line.id
	cw.app.bg(func() {
		err := cw.app.core.RetryMessage(cw.app.ctx, id)
		fyne.Do(func() {
			if err != nil {
				line.state, line.fail = lineFailed, failure.Of(err)
				line.row.update(line)
			}
		})
	})
}

// deleteLine removes an undelivered message, from the outbox and the
// history, once the user confirms: it will then never be sent.
func (cw *chatWindow) deleteLine(conv *conversation, l *chatLine) {
	showConfirm("Delete message", "Delete this undelivered message? It will not be sent.", "Delete", func() {
		if l.id == 0 { // the core never took it
			conv.remove(l)
			return
		}
		id := l.id
		cw.app.bg(func() {
			err := cw.app.core.DeleteMessage(cw.app.ctx, id)
			fyne.Do(func() {
				if err != nil {
					showFailure(cw.win, "Not deleted", "The message could not be deleted. Try again.", err.Error())
					return
				}
				delete(cw.byID, id)
				conv.remove(l)
				cw.app.historyChanged(conv.contact.ID)
			})
		})
	}, cw.win)
}

// remove takes a line out of the conversation.
func (conv *conversation) remove(l *chatLine) {
	conv.lines = slices.DeleteFunc(conv.lines, func(x *chatLine) bool { return x == l })
	if conv.marked == l.row {
		conv.unmark()
	}
	conv.rebuild()
}

// conversation is one contact's chat tab.
type conversation struct {
	cw      *chatWindow
	contact *contactState
	lines   []*chatLine
	more    *widget.Button // loads older messages from history
	box     *fyne.Container
	scroll  *container.Scroll
	entry   *sendEntry
	typer   *typingNotice // tells the core while the user types
	typing  *widget.Label // "Bob is typing…"
	header  *chatHeader   // name and presence, over the messages
	view    fyne.CanvasObject
	tab     *container.TabItem
	find    *searchView // searches this conversation's history
	marked  *chatRow    // the row a search jumped to
	loading bool        // a page of older messages is on its way
	// stick keeps the view at the newest line while the reader has not
	// scrolled up; pinning guards against the scroll it does (chatscroll.go).
	stick, pinning bool
	newBelow       *widget.Button // "New messages ↓" while the reader is up in history
	// away: newer messages exist than the lines shown (chatwindowing.go);
	// gen counts the times the lines were replaced.
	away bool
	gen  int
	// pending: add appended lines not laid out yet; follow: the view goes
	// down to them (flush).
	pending, follow bool
	// arrived: a message came since the last read of newer messages began,
	// so that read may have missed it.
	arrived bool
	// unseen: messages came, or the newest page was shown, since the core
	// was last told the user saw this conversation (chatfocus.go).
	unseen bool
}

func newConversation(cw *chatWindow, c *contactState) *conversation {
	conv := &conversation{cw: cw, contact: c, stick: true}
	conv.box = newChatColumn(conv)
	conv.more = widget.NewButton(loadOlderText, func() { cw.loadOlder(conv) })
	conv.more.Hide()
	conv.box.Add(conv.more)
	conv.scroll = container.NewVScroll(conv.box)
	conv.scroll.OnScrolled = conv.scrolled
	conv.newBelow = widget.NewButton(newText, conv.goDown)
	conv.newBelow.Importance = widget.HighImportance
	conv.newBelow.Hide()
	conv.entry = newSendEntry(func(text string) { cw.send(conv, text) })
	conv.entry.onFocus = func(gained bool) { cw.inputFocus(conv, gained) }
	conv.typer = &typingNotice{app: cw.app, uri: c.URI}
	conv.entry.onEdit = conv.typer.changed
	conv.typing = newTypingLabel()
	send := widget.NewButton("Send", conv.entry.send)
	input := container.NewVBox(conv.typing, conv.newBelow, container.NewBorder(nil, nil, nil, send, conv.entry))
	search, center := conv.conversationSearch()
	bar := container.NewBorder(nil, nil, nil, conv.exportButton(), search)
	conv.header = newChatHeader()
	conv.header.show(c)
	conv.view = container.NewBorder(container.NewVBox(conv.header.box, bar), input, nil, nil, center)
	return conv
}

// add appends a line, with a day separator when the day changes. Away
// from the newest messages it only says that one came. The box is laid
// out once per batch of events, by flush: laying it out for each line
// made a burst of 100 messages take about a second.
func (conv *conversation) add(l *chatLine) {
	conv.arrived = true
	if conv.away {
		conv.newBelow.SetText(newText)
		return
	}
	if !conv.pending {
		// Whether the reader follows is read before the burst moves the view.
		conv.pending, conv.follow = true, conv.stick || conv.atBottom()
		conv.cw.dirty[conv] = true
	}
	conv.follow = conv.follow || l.out
	if n := len(conv.lines); n == 0 || !sameDay(conv.lines[n-1].at, l.at) {
		conv.box.Objects = append(conv.box.Objects, daySeparator(l.at))
	}
	l.row = newChatRow(conv, l)
	l.row.setHead(!sameGroup(conv.last(), l))
	conv.lines = append(conv.lines, l)
	conv.box.Objects = append(conv.box.Objects, l.row.box)
}

// flush lays out the lines add appended and follows them down if the
// reader was at the bottom (or wrote one); then at most maxShown lines
// stay. A reader up in the history is told instead, and keeps every line
// until back down.
func (conv *conversation) flush() {
	if !conv.pending {
		return
	}
	conv.pending = false
	delete(conv.cw.dirty, conv)
	if !conv.follow {
		conv.box.Refresh()
		conv.newBelow.Show()
		return
	}
	if len(conv.lines) > maxShown {
		conv.trimOldest()
		conv.rebuild()
	} else {
		conv.box.Refresh()
	}
	conv.scrollToBottom()
}

// flush lays out every conversation that add changed, and tells the
// core what the user saw of it.
func (cw *chatWindow) flush() {
	for conv := range cw.dirty {
		conv.flush()
	}
	cw.tellSeen()
}

// retitle names the tab: the contact and their presence
// (chatpresence.go), how many messages are unread, and a mark while they
// type.
func (conv *conversation) retitle() {
	if conv.tab == nil {
		return
	}
	t := tabTitle(conv.contact)
	if n := conv.contact.unread; n > 0 {
		t += " (" + itoa(n) + ")"
	}
	if conv.contact.typing {
		t += typingMark
	}
	conv.tab.Text = t
	conv.tab.Icon = markResource(conv.contact.availability(), currentVariant())
	conv.cw.tabs.Refresh()
}
