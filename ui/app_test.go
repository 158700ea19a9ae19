package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

const (
	poisson = "sip:poisson@probability.org"
	laplace = "sip:laplace@probability.org"
	euler   = "sip:euler@basel.ch"
)

func newTestApp(t testing.TB) (*App, *fakeCore, *[]string) {
	t.Helper()
	fa := newTestFyneApp(t)
	r := newTestBook(t)
	core := newFakeCore()
	var notes []string
	a := New(fa, core, r, Options{Notify: func(title, body string) { notes = append(notes, title+": "+body) }})
	a.bg = func(f func()) { f() } // deterministic: background work inline
	a.accts.reg.every = nil       // no countdown goroutine (TestRegistrationCountsDown drives one)
	for _, c := range r.Contacts() {
		a.subscribe(c.URI)
	}
	a.win.Resize(fyne.NewSize(400, 600))
	a.win.Show()
	return a, core, &notes
}

// newTestFyneApp is a headless Fyne app with preferences in memory.
func newTestFyneApp(t testing.TB) fyne.App { return test.NewTempApp(t) }

// newTestBook is a book of three contacts, two in the group Lab.
func newTestBook(t testing.TB) *account.Book {
	r, _ := account.OpenBook(t.TempDir(), sipclient.Ask)
	r.Add(account.Contact{URI: poisson, Name: "Poisson", Group: "Lab"})
	r.Add(account.Contact{URI: laplace, Name: "Laplace", Group: "Lab"})
	r.Add(account.Contact{URI: euler, Name: "Euler"})
	return r
}

// texts returns every visible label and canvas text in the window: what
// the user sees.
// texts is the text of every visible label and canvas text in w after
// a layout. It does not skip what is inside a hidden object: shownTexts
// does.
func texts(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if t, ok := labelText(o); ok && o.Visible() {
			out = append(out, t)
		}
	}
	return out
}

// shownTexts is the text the user can see in w (see textsOnScreen).
func shownTexts(w fyne.Window) []string {
	test.LaidOutObjects(w.Canvas().Content()) // lay out, so lists make their rows
	return textsOnScreen(w.Canvas().Content())
}

// labelText is the whole text of a label (however it wraps) or of a
// canvas text.
func labelText(o fyne.CanvasObject) (string, bool) {
	switch o := o.(type) {
	case *widget.Label:
		return o.Text, true
	case *wrappedLabel:
		return o.Text, true
	case *canvas.Text:
		return o.Text, true
	}
	return "", false
}

func hasText(w fyne.Window, s string) bool {
	return slices.ContainsFunc(texts(w), func(t string) bool { return strings.Contains(t, s) })
}

func indexOf(w fyne.Window, s string) int {
	return slices.IndexFunc(texts(w), func(t string) bool { return t == s })
}

func TestRosterShowsPresenceAndResorts(t *testing.T) {
	a, core, _ := newTestApp(t)
	if len(core.subscribed) != 3 {
		t.Fatalf("subscribed to %v", core.subscribed)
	}
	a.applyBatch([]sipclient.Event{
		sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: "closed"},
		sipclient.PresenceChanged{Peer: pid(poisson), URI: poisson, Basic: "closed"},
	})
	if indexOf(a.win, "Laplace") > indexOf(a.win, "Poisson") {
		t.Errorf("both offline: not sorted by name: %q", texts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(poisson), URI: poisson, Basic: "open", Activity: "away", Note: "In the lab"}})
	if !hasText(a.win, "Away — In the lab") || !hasMark(a.win, availAway) {
		t.Errorf("away with note not rendered: %q", texts(a.win))
	}
	if indexOf(a.win, "Poisson") > indexOf(a.win, "Laplace") {
		t.Errorf("online contact not first in its group: %q", texts(a.win))
	}
	if !hasText(a.win, "Lab") || !hasText(a.win, "Contacts") {
		t.Errorf("group headers missing: %q", texts(a.win))
	}
}

func TestEmptyRosterExplainsWhatToDo(t *testing.T) {
	fa := test.NewTempApp(t)
	r, _ := account.OpenBook(t.TempDir(), sipclient.Ask)
	a := New(fa, newFakeCore(), r, Options{})
	a.win.Show()
	if !hasText(a.win, "No contacts yet") {
		t.Errorf("empty roster shows no hint: %q", texts(a.win))
	}
	f := newContactForm(account.Contact{})
	f.uri.SetText("sip:alice@wonder.land")
	a.addContact(f)
	if onScreen(windowContent(a.win), "No contacts yet") {
		t.Error("hint still shown with a contact")
	}
}

func TestRosterFilter(t *testing.T) {
	a, _, _ := newTestApp(t)
	test.Type(a.filter, "eul")
	if !hasText(a.win, "Euler") || hasText(a.win, "Poisson") {
		t.Errorf("filter eul: %q", texts(a.win))
	}
	a.filter.SetText("")
	if !hasText(a.win, "Poisson") {
		t.Errorf("cleared filter: %q", texts(a.win))
	}
}

func TestAddContactValidates(t *testing.T) {
	a, core, _ := newTestApp(t)
	f := newContactForm(account.Contact{})
	test.Type(f.uri, "alice")
	if !strings.Contains(f.problem.Text, "not a SIP address") {
		t.Errorf("bad address message %q", f.problem.Text)
	}
	if err := a.addContact(f); err == nil || len(a.book.Contacts()) != 3 {
		t.Fatalf("bad address accepted")
	}
	f.uri.SetText("sip:example.com")
	if !strings.Contains(f.problem.Text, "no user part") {
		t.Errorf("message %q", f.problem.Text)
	}
	f.uri.SetText("sip:alice@wonder.land")
	test.Type(f.name, "Alice")
	if err := a.addContact(f); err != nil {
		t.Fatal(err)
	}
	if f.problem.Text != "" || !hasText(a.win, "Alice") || core.subscribed[len(core.subscribed)-1] != "sip:alice@wonder.land" {
		t.Errorf("after add: problem %q, texts %q, subscribed %v", f.problem.Text, texts(a.win), core.subscribed)
	}
	saved, _ := account.OpenBook(strings.TrimSuffix(a.book.Path(), "/roster.json"), sipclient.Ask)
	if _, ok := saved.Contact(pid("sip:alice@wonder.land")); !ok {
		t.Error("new contact not saved")
	}
	if err := a.addContact(f); err == nil || !strings.Contains(f.problem.Text, "already in your contacts") {
		t.Errorf("duplicate: %v %q", err, f.problem.Text)
	}
}

func TestChatLocalEchoSentAndFailed(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	test.Type(conv.entry, "Hi There!")
	conv.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(core.sent) != 1 || core.sent[0] != poisson+"|Hi There!" || conv.entry.Text != "" {
		t.Fatalf("sent %v, entry %q", core.sent, conv.entry.Text)
	}
	cw := a.chats.win
	if !hasText(cw, "Hi There!") || !hasText(cw, "You · sending…") {
		t.Fatalf("no pending bubble: %q", texts(cw))
	}
	a.applyBatch([]sipclient.Event{sipclient.MessageStatus{ID: sent(1), Status: sipclient.MsgSent, Code: 200}})
	if !hasText(cw, "You · sent ✓") {
		t.Errorf("not marked sent: %q", texts(cw))
	}

	test.Type(conv.entry, "Are you there?")
	conv.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	a.applyBatch([]sipclient.Event{sipclient.MessageStatus{ID: sent(2), Status: sipclient.MsgFailed, Code: 480, Reason: "Temporarily Unavailable"}})
	if !hasText(cw, "not delivered") || !hasText(cw, "Poisson is not online.") {
		t.Fatalf("failure not shown: %q", texts(cw))
	}
	line := conv.lines[1]
	if !line.row.retry.Visible() {
		t.Fatal("no retry on a failed message")
	}
	test.Tap(line.row.retry)
	if len(core.sent) != 2 || len(core.retried) != 1 || core.retried[0] != sent(2) || line.row.retry.Visible() || line.row.meta.Text != "sending…" {
		t.Errorf("retry: sent %v, retried %v", core.sent, core.retried)
	}
}

func TestShiftEnterAddsLine(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.openChat(a.contacts[pid(euler)])
	e := a.chats.convs[pid(euler)].entry
	test.Type(e, "line one")
	e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	test.Type(e, "line two")
	if len(core.sent) != 0 || e.Text != "line one\nline two" {
		t.Fatalf("shift+enter: sent %v, text %q", core.sent, e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(core.sent) != 1 || core.sent[0] != euler+"|line one\nline two" {
		t.Errorf("sent %v", core.sent)
	}
}

func TestIncomingMessageOpensChatAndCountsUnread(t *testing.T) {
	a, _, notes := newTestApp(t)
	a.inFront = false
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(laplace), From: laplace, Text: "<b>Bonjour</b> [link](javascript:x)", CallID: "c1", At: time.Now()}})
	if a.chats.win == nil || !hasText(a.chats.win, "<b>Bonjour</b> [link](javascript:x)") {
		t.Fatalf("chat not opened with the plain text: %v", a.chats.win)
	}
	if !slices.ContainsFunc(texts(a.chats.win), func(s string) bool { return strings.HasSuffix(s, "  Laplace") }) {
		t.Errorf("incoming message not signed with the contact's name: %q", texts(a.chats.win))
	}
	if !hasText(a.win, "1 new") || len(*notes) != 1 || !strings.Contains((*notes)[0], "Laplace") {
		t.Errorf("badge %q, notifications %v", texts(a.win), *notes)
	}
	a.openChat(a.contacts[pid(laplace)])
	if hasText(a.win, "1 new") {
		t.Errorf("badge not cleared after opening: %q", texts(a.win))
	}
}

func TestChoosingStatusPublishes(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.note.SetText("in a meeting")
	a.status.SetSelected("Busy")
	p := core.presence[len(core.presence)-1]
	if p.Status != sipclient.StatusBusy || p.Note != "in a meeting" {
		t.Errorf("published %+v", p)
	}
	a.status.SetSelected("Appear offline")
	if core.presence[len(core.presence)-1].Status != sipclient.StatusOffline {
		t.Errorf("published %+v", core.presence)
	}
	if !hasText(a.win, "Your address: sip:me@127.0.0.1:5060") {
		t.Errorf("own address not shown: %q", texts(a.win))
	}
}

func TestStrangerGoesToRequests(t *testing.T) {
	a, core, _ := newTestApp(t)
	stranger := "sip:mallory@evil.example"
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(stranger), From: stranger, FromName: "Poisson", Text: "click me", At: time.Now()}})
	if a.chats.win != nil {
		t.Fatal("a stranger opened a chat")
	}
	if !a.reqBtn.Visible() || a.reqBtn.Text != "Message requests (1)" {
		t.Fatalf("requests button %q", a.reqBtn.Text)
	}
	a.blockSender(pid(stranger))
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(stranger), From: stranger, Text: "again", At: time.Now()}})
	if a.reqBtn.Visible() || a.chats.win != nil {
		t.Error("blocked sender still shows up")
	}
	other := "sip:bernoulli@basel.ch"
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(other), From: other, Text: "hello", At: time.Now()}})
	a.acceptRequest(pid(other))
	if a.contacts[pid(other)] == nil || !hasText(a.chats.win, "hello") || core.subscribed[len(core.subscribed)-1] != other {
		t.Errorf("accept: contact %v subscribed %v", a.contacts[pid(other)], core.subscribed)
	}
	if l := a.chats.convs[pid(other)].last(); l.text != "hello" || l.row.box.Size().Height == 0 {
		t.Errorf("accept: the message's line is not laid out (%q, %v)", l.text, l.row.box.Size())
	}
}

func TestWatcherDecisionRemembered(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.WatcherChanged{Peer: pid("sip:eve@x.org"), URI: "sip:eve@X.org:5060", State: sipclient.WatcherPending}})
	a.decideWatcher(pid("sip:eve@x.org"), false)
	if core.decisions["sip:eve@x.org"] != sipclient.Block || a.book.WatcherDecision(pid("sip:eve@x.org")) != sipclient.Block {
		t.Errorf("block not applied or remembered")
	}
	saved, _ := account.OpenBook(strings.TrimSuffix(a.book.Path(), "/roster.json"), sipclient.Ask)
	if saved.WatcherDecision(pid("sip:eve@x.org")) != sipclient.Block {
		t.Error("the answer is not on disk")
	}
	if a.book.WatcherDecision(pid(poisson)) != sipclient.Allow || a.book.WatcherDecision(pid("sip:new@x.org")) != sipclient.Ask {
		t.Errorf("policy for contact/stranger wrong")
	}
}

func TestGreyContactSaysWhy(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.SubscriptionChanged{Peer: pid(euler), URI: euler, State: sipclient.SubFailed, Code: 403, Reason: "Forbidden"}})
	if !hasText(a.win, "Unknown") || hasText(a.win, "Forbidden") {
		t.Errorf("roster (the row says Unknown, the reason is in Presence details): %q", texts(a.win))
	}
	d := diagnosticsText(a.contacts[pid(euler)], time.Now())
	if !strings.Contains(d, "Subscription: failed (Forbidden)") || !strings.Contains(d, "Last NOTIFY: never") ||
		!strings.Contains(d, "Why: Euler does not let you see their status.") || !strings.Contains(d, "Details: 403 Forbidden") {
		t.Errorf("diagnostics:\n%s", d)
	}
	a.applyBatch([]sipclient.Event{sipclient.Diagnostic{Peer: pid(euler), URI: euler, What: "presence document", Detail: "the peer's presence document could not be read: bad XML"}})
	if d := diagnosticsText(a.contacts[pid(euler)], time.Now()); !strings.Contains(d, "could not be read") {
		t.Errorf("diagnostic not in Presence details:\n%s", d)
	}
	if hasText(a.win, "bad XML") {
		t.Errorf("parser text in the roster: %q", texts(a.win))
	}
}

// A chat opens with the stored history (pending and failed ones with
// their state), pages older messages on demand, and never shows a message
// twice when it is both stored and announced.
func TestChatShowsStoredHistory(t *testing.T) {
	a, core, _ := newTestApp(t)
	yesterday := time.Now().Add(-24 * time.Hour)
	var stored []sipclient.ChatMessage
	for i := 60; i >= 1; i-- { // newest first
		stored = append(stored, sipclient.ChatMessage{ID: sipclient.MessageID(i), Direction: "in", Text: "old " + itoa(i), At: yesterday.Add(time.Duration(i) * time.Second), State: "received"})
	}
	stored[0] = sipclient.ChatMessage{ID: 60, Direction: "out", Text: "unsent one", At: yesterday.Add(time.Minute), State: "failed", Code: 480, Reason: "Temporarily Unavailable"}
	stored = append([]sipclient.ChatMessage{{ID: 61, Direction: "in", Text: "just now", At: time.Now(), State: "received"}}, stored...)
	core.stored[poisson] = stored
	a.inFront = false
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 61, Peer: pid(poisson), From: poisson, Text: "just now", At: time.Now()}})
	cw := a.chats.win
	if !hasText(cw, "old 59") || !hasText(cw, "old 12") || !hasText(cw, "just now") || !hasText(cw, "Poisson is not online.") {
		t.Fatalf("first page: %q", texts(cw))
	}
	if hasText(cw, "old 11") || !hasText(cw, "Yesterday") || !hasText(cw, "Today") {
		t.Errorf("page size or day separator wrong: %q", texts(cw))
	}
	conv := a.chats.convs[pid(poisson)]
	if n := len(conv.lines); n != 50 || !hasText(a.win, "1 new") {
		t.Errorf("%d lines after the first page, want 50 (the announced message was already stored); unread shown: %v", n, hasText(a.win, "1 new"))
	}
	test.Tap(conv.more)
	if !hasText(cw, "old 1") || len(conv.lines) != 61 || conv.more.Visible() {
		t.Errorf("after loading older: %d lines, more visible %v", len(conv.lines), conv.more.Visible())
	}
	if conv.lines[0].text != "old 1" || conv.lines[60].text != "just now" {
		t.Errorf("order: first %q last %q", conv.lines[0].text, conv.lines[60].text)
	}
}

// Word-wrapped text never asks for one character per line: the window's
// minimum stays small and the centred empty-roster hint stays readable
// (it once made the window 2,171 px tall, its bottom bar off screen).
func TestWrappedTextKeepsSaneSize(t *testing.T) {
	fa := test.NewTempApp(t)
	r, _ := account.OpenBook(t.TempDir(), sipclient.Ask)
	a := New(fa, newFakeCore(), r, Options{})
	a.win.Show()
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: "sip:alice@parley.test", State: sipclient.RegFailed,
		Reason: "wrong password (or user name)", RetryIn: time.Minute}})
	a.win.Resize(fyne.NewSize(360, 560))
	if h := a.win.Content().MinSize().Height; h > 700 {
		t.Errorf("main window needs %.0f px of height", h)
	}
	if w := a.empty.Size().Width; w < minWrapWidth {
		t.Errorf("empty-roster hint laid out %.0f px wide", w)
	}
}

// A problem with the user's own setup reaches the main window's banner:
// the history file failing mid-session, the server keeping no presence
// rules. A stranger's unreadable request stays in the log.
func TestUserWideDiagnosticsOnBanner(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.Diagnostic{What: "oversize MESSAGE", Peer: pid("sip:stranger@example.test"), URI: "sip:stranger@example.test", Detail: "body too large"}})
	if a.bannerBox.Visible() {
		t.Errorf("a stranger's request reached the banner: %q", a.banner.Text)
	}
	const detail = "history is unavailable: disk full; messages are kept in memory for this session"
	a.applyBatch([]sipclient.Event{sipclient.Diagnostic{What: "history", Detail: detail}})
	if !onScreen(windowContent(a.win), "Your message history cannot be written now") || onScreen(windowContent(a.win), "disk full") {
		t.Errorf("history failure not shown: %q", textsOnScreen(windowContent(a.win)))
	}
	const rules = "the server did not store who may see your status: 500 Server Error"
	a.applyBatch([]sipclient.Event{sipclient.Diagnostic{What: "presence rules", Peer: pid("sip:me@example.test"), URI: "sip:me@example.test", Detail: rules}})
	if !onScreen(windowContent(a.win), "The server did not store who may see your status") || onScreen(windowContent(a.win), "500 Server Error") {
		t.Errorf("presence rules failure not shown: %q", textsOnScreen(windowContent(a.win)))
	}
	test.Tap(a.bannerBox.Objects[1].(*widget.Button)) // the ✕ beside it
	if onScreen(windowContent(a.win), "who may see your status") {
		t.Errorf("dismissed, the problem is still shown")
	}
}

// Presence requests are asked one at a time, each address once, with the
// number still waiting in the title.
func TestWatcherRequestsQueued(t *testing.T) {
	a, core, _ := newTestApp(t)
	pending := func(uri string) sipclient.Event {
		return sipclient.WatcherChanged{Peer: pid(uri), URI: uri, State: sipclient.WatcherPending}
	}
	a.applyBatch([]sipclient.Event{pending("sip:eve@x.org"), pending("sip:eve@x.org"), pending("sip:trudy@x.org")})
	if n := len(a.win.Canvas().Overlays().List()); n != 1 {
		t.Fatalf("%d dialogs open, want 1", n)
	}
	first := topOverlay(a.win)
	if !onScreen(first, "1 more waiting after this one") || !onScreen(first, "sip:eve@x.org wants to see") {
		t.Fatalf("first question: %q", textsOnScreen(first))
	}
	tapButton(t, first, "Block")
	second := topOverlay(a.win)
	if second == nil || !onScreen(second, "sip:trudy@x.org wants to see") || onScreen(second, "more waiting after") {
		t.Fatalf("second question: %q", textsOnScreen(second))
	}
	tapButton(t, second, "Allow")
	if topOverlay(a.win) != nil || core.decisions["sip:eve@x.org"] != sipclient.Block || core.decisions["sip:trudy@x.org"] != sipclient.Allow {
		t.Errorf("after both answers: overlay %v, decisions %v", topOverlay(a.win) != nil, core.decisions)
	}
}

// A contact who writes their domain in capitals is still the contact: the
// message opens their chat, not a message request.
func TestContactDomainAnyCase(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 7, Peer: pid("sip:poisson@PROBABILITY.ORG"), From: "sip:poisson@PROBABILITY.ORG", Text: "it is me", At: time.Now()}})
	conv := a.chats.convs[pid(poisson)]
	if a.reqBtn.Visible() || conv == nil || !conv.has(7) {
		t.Errorf("request shown %v; poisson's chat has it %v", a.reqBtn.Visible(), conv != nil && conv.has(7))
	}
}

// Blocking a sender is one call to the contact book, which the core reads,
// so their next messages are dropped before they are stored; adding them
// as a contact unblocks.
func TestBlockTellsCore(t *testing.T) {
	a, _, _ := newTestApp(t)
	mallory := pid("sip:mallory@evil.example")
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: mallory, From: "sip:mallory@evil.example", Text: "buy now", At: time.Now()}})
	a.blockSender(mallory)
	saved, _ := account.OpenBook(strings.TrimSuffix(a.book.Path(), "/roster.json"), sipclient.Ask)
	if !a.book.SenderBlocked(mallory) || !saved.SenderBlocked(mallory) {
		t.Errorf("blocked in the book %v, on disk %v", a.book.SenderBlocked(mallory), saved.SenderBlocked(mallory))
	}
	// Adding them as a contact after all lifts the block: their messages
	// are wanted now.
	f := newContactForm(account.Contact{})
	f.uri.SetText("sip:mallory@EVIL.example")
	if err := a.addContact(f); err != nil {
		t.Fatal(err)
	}
	if a.book.SenderBlocked(mallory) {
		t.Error("still blocked after adding")
	}
}
