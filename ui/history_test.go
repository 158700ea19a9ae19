package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// A conversation with a long history opens at its newest message, as
// every messenger does, not at the oldest of the first page.
func TestChatOpensAtNewest(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	newest, oldest := conv.lines[len(conv.lines)-1], conv.lines[0]
	if newest.text != "laplace says 200" || !scrolledIntoView(conv, newest.id) || scrolledIntoView(conv, oldest.id) {
		t.Errorf("opened at offset %v of %v: newest %q in view %v, oldest in view %v", conv.scroll.Offset,
			conv.box.MinSize(), newest.text, scrolledIntoView(conv, newest.id), scrolledIntoView(conv, oldest.id))
	}
}

// Scrolling to the top loads the next older page by itself, and the line
// that was at the top stays where the reader left it.
func TestScrollToTopLoadsOlderInPlace(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	reading := conv.lines[0] // "laplace says 151", the oldest of the first page
	conv.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, conv.box.MinSize().Height)})
	if len(conv.lines) != 2*historyPage || conv.lines[0].text != "laplace says 101" {
		t.Fatalf("after scrolling to the top: %d lines, first %q", len(conv.lines), conv.lines[0].text)
	}
	if !scrolledIntoView(conv, reading.id) || scrolledIntoView(conv, conv.lines[0].id) {
		t.Errorf("the view jumped: %q in view %v, the new oldest in view %v (offset %v)", reading.text,
			scrolledIntoView(conv, reading.id), scrolledIntoView(conv, conv.lines[0].id), conv.scroll.Offset)
	}
}

// A message that arrives while the reader is up in the history does not
// pull the view down; one the user sends does, and so does one that
// arrives while the newest line is in view.
func TestNewLinesFollowOnlyAtBottom(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	incoming := func(id sipclient.MessageID, text string) {
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: id, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
	}
	incoming(9001, "while at the bottom")
	if !scrolledIntoView(conv, 9001) {
		t.Fatalf("a message at the bottom was not followed (offset %v)", conv.scroll.Offset)
	}
	reading := conv.lines[10]
	userScrollTo(conv, reading.row.box.Position().Y)
	incoming(9002, "while reading history")
	if !scrolledIntoView(conv, reading.id) || scrolledIntoView(conv, 9002) {
		t.Errorf("the reader was pulled down: %q in view %v", reading.text, scrolledIntoView(conv, reading.id))
	}
	if !onScreen(windowContent(a.chats.win), "New messages ↓") {
		t.Fatalf("no sign of the new message: %q", textsOnScreen(windowContent(a.chats.win)))
	}
	test.Tap(conv.newBelow)
	if !scrolledIntoView(conv, 9002) || onScreen(windowContent(a.chats.win), "New messages ↓") {
		t.Errorf("tapping New messages: 9002 in view %v, button still shown %v", scrolledIntoView(conv, 9002),
			onScreen(windowContent(a.chats.win), "New messages ↓"))
	}
	userScrollTo(conv, reading.row.box.Position().Y)
	a.chats.send(conv, "my own words")
	if last := conv.lines[len(conv.lines)-1]; last.text != "my own words" || !lineInView(conv, last) {
		t.Errorf("the sent message is not in view (offset %v)", conv.scroll.Offset)
	}
}

// lineInView is scrolledIntoView for a line that has no ID yet.
func lineInView(conv *conversation, l *chatLine) bool {
	top := l.row.box.Position().Y - conv.scroll.Offset.Y
	return top >= 0 && top+l.row.box.Size().Height <= conv.scroll.Size().Height
}

// jumpedBack is a 2,000-message conversation with Laplace jumped to
// message 1000, as tapping a search hit does.
func jumpedBack(t *testing.T) (*App, *fakeCore, *conversation) {
	a, core, _ := newTestApp(t)
	storeLong(core, 2000)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	a.chats.jumpTo(conv, 1000)
	return a, core, conv
}

// chatShowing is Laplace's chat (2,000 stored messages) showing at least
// n lines, scrolled to the newest.
func chatShowing(tb testing.TB, n int) (*App, *conversation) {
	a, core, _ := newTestApp(tb)
	storeLong(core, 2000)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	for len(conv.lines) < n {
		a.chats.loadOlder(conv)
	}
	conv.scrollToBottom()
	return a, conv
}

// burst is 100 messages from Laplace, IDs and texts numbered from.
func burst(from int) []sipclient.Event {
	var evs []sipclient.Event
	for i := range 100 {
		evs = append(evs, sipclient.MessageReceived{ID: sipclient.MessageID(from + i), Peer: pid(laplace), From: laplace, Text: "burst " + itoa(from+i), At: time.Now()})
	}
	return evs
}

// storeLong gives Laplace n numbered messages, IDs 1..n, oldest first in
// time; the fake core hands them out newest first.
func storeLong(core *fakeCore, n int) {
	start := time.Now().Add(-1000 * time.Hour)
	for i := n; i >= 1; i-- {
		core.stored[laplace] = append(core.stored[laplace], sipclient.ChatMessage{ID: sipclient.MessageID(i), Direction: "in",
			Text: "message " + itoa(i), At: start.Add(time.Duration(i) * time.Minute), State: "received"})
	}
}

// A hit far back shows the messages around it, not every one since:
// the view is then away from the newest, says so, and a message that
// arrives meanwhile is announced on the way back, which it takes the
// reader to.
func TestJumpFarBackShowsAroundHit(t *testing.T) {
	a, core, conv := jumpedBack(t)
	if n := len(conv.lines); n > maxShown || conv.lines[n-1].id != sipclient.MessageID(1000+maxShown/2) || !scrolledIntoView(conv, 1000) || !isMarked(conv, 1000) {
		t.Fatalf("after the jump: %d lines, %s…%s, hit in view %v", n, conv.lines[0].id, conv.lines[n-1].id, scrolledIntoView(conv, 1000))
	}
	win := windowContent(a.chats.win)
	if !onScreen(win, latestText) {
		t.Errorf("no way back to the latest messages: %q", textsOnScreen(win))
	}
	core.mu.Lock()
	core.stored[laplace] = append([]sipclient.ChatMessage{{ID: 2001, Direction: "in", Text: "meanwhile", At: time.Now(), State: "received"}}, core.stored[laplace]...)
	core.mu.Unlock()
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 2001, Peer: pid(laplace), From: laplace, Text: "meanwhile", At: time.Now()}})
	if conv.has(2001) || !onScreen(win, newText) || !scrolledIntoView(conv, 1000) {
		t.Errorf("while away: new line added %v, %q shown %v, hit still in view %v", conv.has(2001), newText, onScreen(win, newText), scrolledIntoView(conv, 1000))
	}
	a.chats.jumpTo(conv, 1995) // newer than the lines shown
	if n := len(conv.lines); conv.lines[n-1].id != 2001 || !scrolledIntoView(conv, 1995) || !isMarked(conv, 1995) || conv.away {
		t.Fatalf("after jumping to a newer hit: %d lines %s…%s, hit in view %v, away %v", n, conv.lines[0].id, conv.lines[n-1].id,
			scrolledIntoView(conv, 1995), conv.away)
	}
	a.chats.jumpTo(conv, 1000)
	test.Tap(conv.newBelow)
	if n := len(conv.lines); n != historyPage || conv.lines[n-1].id != 2001 || !scrolledIntoView(conv, 2001) || conv.away || conv.newBelow.Visible() {
		t.Errorf("back at the latest: %d lines ending %s, in view %v, away %v, button %v", n, conv.lines[n-1].id, scrolledIntoView(conv, 2001), conv.away, conv.newBelow.Visible())
	}
}

// Climbing a long history keeps at most maxShown lines: the newest go, the
// line being read stays put, and sending from up there goes back down
// first so the message shows under the newest ones.
func TestClimbingKeepsViewBounded(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeLong(core, 2000)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	for range 12 {
		reading := conv.lines[0]
		conv.scroll.ScrollToOffset(fyne.NewPos(0, 0))
		conv.scrolled(conv.scroll.Offset)
		if !scrolledIntoView(conv, reading.id) {
			t.Fatalf("lost the place: %s not in view after loading (offset %v)", reading.id, conv.scroll.Offset)
		}
	}
	if n := len(conv.lines); n != maxShown || conv.lines[0].id != sipclient.MessageID(2000-13*historyPage+1) || !conv.away {
		t.Fatalf("after 12 pages up: %d lines from %s, away %v", n, conv.lines[0].id, conv.away)
	}
	a.chats.send(conv, "from up here")
	last := conv.lines[len(conv.lines)-1]
	if conv.away || last.text != "from up here" || conv.lines[len(conv.lines)-2].id != 2000 || !lineInView(conv, last) {
		t.Errorf("after sending: away %v, last %q after %s, in view %v", conv.away, last.text, conv.lines[len(conv.lines)-2].id, lineInView(conv, last))
	}
	if core.sent[len(core.sent)-1] != laplace+"|from up here" {
		t.Errorf("sent: %q", core.sent)
	}
}

// A message sent while the first page is on its way, and stored before
// the page is read, shows once: the page's copy does not double the echo.
func TestEchoNotDoubledByFirstPage(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	var queued []func()
	a.bg = func(f func()) { queued = append(queued, f) }
	a.openChat(a.contacts[pid(laplace)]) // queues the first page
	conv := a.chats.convs[pid(laplace)]
	core.afterSend = func() { queued[0]() } // the page is read after the store
	a.chats.send(conv, "typed at once")
	queued[1]() // stores, reads the page, then acknowledges
	n := 0
	for _, l := range conv.lines {
		if l.text == "typed at once" {
			n++
		}
	}
	if n != 1 || len(conv.lines) != historyPage { // the page holds it and 49 older
		t.Errorf("the message shows %d times in %d lines", n, len(conv.lines))
	}
}

// A failed message can be deleted: after the user confirms, the core
// deletes it (so the outbox never sends it) and its line goes. A delete
// the core refuses says why and keeps the line.
func TestDeleteFailedMessage(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	cw := a.chats.win
	a.chats.send(conv, "lost in the post")
	a.chats.send(conv, "also lost")
	a.applyBatch([]sipclient.Event{
		sipclient.MessageStatus{ID: sent(1), Status: sipclient.MsgFailed, Code: 404, Reason: "Not Found"},
		sipclient.MessageStatus{ID: sent(2), Status: sipclient.MsgFailed, Code: 404, Reason: "Not Found"},
	})
	first := conv.lines[0]
	if !first.row.del.Visible() {
		t.Fatal("no Delete on a failed message")
	}
	test.Tap(first.row.del)
	confirm := topOverlay(cw)
	if confirm == nil || !onScreen(confirm, "Delete this undelivered message? It will not be sent.") {
		t.Fatal("no confirmation asked")
	}
	pressKey(cw.Canvas(), fyne.KeyEscape) // Escape: nothing is deleted
	if topOverlay(cw) != nil || len(core.deleted) != 0 {
		t.Fatalf("Escape: dialog open %v, deleted %v", topOverlay(cw) != nil, core.deleted)
	}
	test.Tap(first.row.del)
	tapButton(t, topOverlay(cw), "Delete")
	if len(core.deleted) != 1 || core.deleted[0] != sent(1) || conv.has(sent(1)) || hasText(cw, "lost in the post") {
		t.Errorf("after confirming: deleted %v, line still there %v", core.deleted, conv.has(sent(1)))
	}

	core.deleteErr = errors.New("database is locked")
	test.Tap(conv.lines[0].row.del)
	pressKey(cw.Canvas(), fyne.KeyReturn) // Delete has the focus
	if !conv.has(sent(2)) || !onScreen(topOverlay(cw), "The message could not be deleted. Try again.") || onScreen(topOverlay(cw), "database is locked") {
		t.Errorf("a refused delete: line kept %v, overlay %q", conv.has(sent(2)), textsOnScreen(topOverlay(cw)))
	}
}

// tapButton taps the shown button labelled text under o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var found *widget.Button
	walkOnScreen(o, func(x fyne.CanvasObject) {
		if kb, ok := x.(*keyButton); ok {
			x = &kb.Button
		}
		if b, ok := x.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q: %q", text, textsOnScreen(o))
	}
	test.Tap(found)
}

// Sending twice from deep in the history, faster than the newest page
// loads, sends and shows both in the order typed, once each, under the
// newest messages.
func TestSendFromHistoryKeepsOrder(t *testing.T) {
	a, core, conv := jumpedBack(t)
	if !conv.away {
		t.Fatal("not away after a far jump")
	}
	var queued []func()
	a.bg = func(f func()) { queued = append(queued, f) }
	a.chats.send(conv, "one")
	a.chats.send(conv, "two")
	if len(queued) != 3 {
		t.Fatalf("%d tasks queued, want the page and two sends", len(queued))
	}
	queued[1]() // both sends are stored and acknowledged before the page is read
	queued[2]()
	queued[0]()
	if got := core.sent; len(got) != 2 || got[0] != laplace+"|one" || got[1] != laplace+"|two" {
		t.Errorf("sent %q", got)
	}
	n := len(conv.lines)
	if n != historyPage || conv.lines[n-2].text != "one" || conv.lines[n-1].text != "two" || conv.lines[n-3].id != 2000 {
		t.Errorf("%d lines, ending %q %q %q", n, conv.lines[n-3].text, conv.lines[n-2].text, conv.lines[n-1].text)
	}
}

// After a jump far back the reader can read on: scrolling to the bottom
// loads the next newer page in place, the oldest lines go beyond
// maxShown, and reaching the newest message ends "away".
func TestReadOnAfterJump(t *testing.T) {
	_, _, conv := jumpedBack(t)
	toBottom := func() {
		conv.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -conv.box.MinSize().Height)})
	}
	reading := conv.last() // 1250; the jump showed 951…1250
	toBottom()
	if n := len(conv.lines); n != 350 || conv.last().id != 1300 || conv.first().id != 951 || !conv.away {
		t.Fatalf("after one page down: %d lines %s…%s, away %v", n, conv.first().id, conv.last().id, conv.away)
	}
	if !scrolledIntoView(conv, reading.id) {
		t.Errorf("lost the place: %s not in view (offset %v)", reading.id, conv.scroll.Offset)
	}
	for i := 0; i < 30 && conv.away; i++ {
		toBottom()
	}
	if conv.away || conv.last().id != 2000 || conv.newBelow.Visible() || len(conv.lines) != maxShown || !conv.more.Visible() {
		t.Errorf("at the end: away %v, last %s, button %v, %d lines, older to load %v", conv.away, conv.last().id,
			conv.newBelow.Visible(), len(conv.lines), conv.more.Visible())
	}
}

// A message that arrives while the last newer page is being read is not
// lost behind the end of "away": it is read too.
func TestReadOnCatchesMessageArrivingMeanwhile(t *testing.T) {
	a, core, conv := jumpedBack(t)
	toBottom := func() {
		conv.scroll.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -conv.box.MinSize().Height)})
	}
	for i := 0; i < 30 && conv.last().id != 2000; i++ {
		toBottom()
	}
	if !conv.away || conv.last().id != 2000 {
		t.Fatalf("setup: away %v, last %s", conv.away, conv.last().id)
	}
	core.afterRead = func() { // the read is done; 2001 comes before it is shown
		core.afterRead = nil
		core.mu.Lock()
		core.stored[laplace] = append([]sipclient.ChatMessage{{ID: 2001, Direction: "in", Text: "just in", At: time.Now(), State: "received"}}, core.stored[laplace]...)
		core.mu.Unlock()
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 2001, Peer: pid(laplace), From: laplace, Text: "just in", At: time.Now()}})
	}
	conv.scroll.ScrollToOffset(fyne.NewPos(0, 0)) // so the next scroll moves
	toBottom()
	if conv.away || conv.last().id != 2001 {
		t.Errorf("after reading on: away %v, last %s; the message that came meanwhile is missing", conv.away, conv.last().id)
	}
}

// A burst of messages to a reader at the bottom shows them all at the
// bottom and keeps at most maxShown lines; to a reader up in the history
// it keeps every line, leaves the view alone and says so.
func TestBurstKeepsViewBounded(t *testing.T) {
	a, conv := chatShowing(t, 450)
	a.applyBatch(burst(5000))
	if n := len(conv.lines); n != maxShown || conv.last().id != 5099 || !scrolledIntoView(conv, 5099) || !conv.more.Visible() {
		t.Fatalf("following: %d lines, last %s in view %v, older to load %v", n, conv.last().id, scrolledIntoView(conv, 5099), conv.more.Visible())
	}
	reading := conv.lines[100]
	userScrollTo(conv, reading.row.box.Position().Y)
	a.applyBatch(burst(6000))
	if n := len(conv.lines); n != maxShown+100 || !scrolledIntoView(conv, reading.id) || !conv.newBelow.Visible() {
		t.Errorf("reading up: %d lines, %s in view %v, told %v", n, reading.id, scrolledIntoView(conv, reading.id), conv.newBelow.Visible())
	}
}

// userScrollTo puts the view at y as the reader's scrolling does: the
// scroller then tells the conversation it moved.
func userScrollTo(conv *conversation, y float32) {
	conv.scroll.ScrollToOffset(fyne.NewPos(0, y))
	conv.scrolled(conv.scroll.Offset)
}
