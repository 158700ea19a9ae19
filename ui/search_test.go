package ui

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

const oldLemma = "An old lemma about generating functions"

// stored is how many messages storeTwoConversations gives each peer.
const stored = 200

// storeTwoConversations gives Laplace and Poisson 200 messages each, IDs
// interleaved as one database hands them out. Laplace's lemma (ID 120) is
// two pages older than the first page a chat shows.
func storeTwoConversations(core *fakeCore) {
	start := time.Now().Add(-48 * time.Hour)
	for i := stored; i >= 1; i-- { // newest first
		at := start.Add(time.Duration(i) * time.Minute)
		lap := sipclient.ChatMessage{ID: sipclient.MessageID(2 * i), Direction: "in", Text: "laplace says " + itoa(i), At: at, State: "received"}
		poi := sipclient.ChatMessage{ID: sipclient.MessageID(2*i + 1), Direction: "out", Text: "to poisson " + itoa(i), At: at, State: "sent"}
		switch i {
		case 60:
			lap.Text = oldLemma
		case 190:
			poi.Text = "Your LEMMA from yesterday holds"
		}
		core.stored[laplace] = append(core.stored[laplace], lap)
		core.stored[poisson] = append(core.stored[poisson], poi)
	}
}

// walkOnScreen calls f for every object really on screen under o: hidden
// objects and everything under them are skipped (test.LaidOutObjects
// does not skip them).
func walkOnScreen(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	if _, ok := labelText(o); ok {
		return // a label's text is read whole, not line by line
	}
	switch o := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walkOnScreen(c, f)
		}
	case *fyne.Container:
		for _, c := range o.Objects {
			walkOnScreen(c, f)
		}
	}
}

func textsOnScreen(o fyne.CanvasObject) []string {
	var out []string
	walkOnScreen(o, func(o fyne.CanvasObject) {
		if t, ok := labelText(o); ok {
			out = append(out, t)
		}
	})
	return out
}

func onScreen(o fyne.CanvasObject, s string) bool {
	return slices.ContainsFunc(textsOnScreen(o), func(t string) bool { return strings.Contains(t, s) })
}

func windowContent(w fyne.Window) fyne.CanvasObject { return w.Canvas().Content() }

// topOverlay is the top overlay (a dialog) of w, or nil.
func topOverlay(w fyne.Window) fyne.CanvasObject { return w.Canvas().Overlays().Top() }

func entryWithPlaceholder(t *testing.T, w fyne.Window, placeholder string) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	walkOnScreen(windowContent(w), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == placeholder {
			found = e
		}
		if e, ok := o.(*searchEntry); ok && e.PlaceHolder == placeholder {
			found = &e.Entry
		}
	})
	if found == nil {
		t.Fatalf("no entry %q shown", placeholder)
	}
	return found
}

// tapOnText taps w where the label holding text is drawn, as a user would.
func tapOnText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	var label fyne.CanvasObject
	walkOnScreen(windowContent(w), func(o fyne.CanvasObject) {
		if label == nil && slices.ContainsFunc(textsOnScreen(o), func(s string) bool { return strings.Contains(s, text) }) {
			if _, ok := o.(*widget.Label); ok {
				label = o
			} else if _, ok := o.(*canvas.Text); ok {
				label = o
			}
		}
	})
	if label == nil {
		t.Fatalf("no text %q to tap: %q", text, textsOnScreen(windowContent(w)))
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(label)
	test.TapCanvas(w.Canvas(), pos.Add(fyne.NewPos(4, 4)))
}

// scrolledIntoView reports whether the message id is shown and scrolled into view.
func scrolledIntoView(conv *conversation, id sipclient.MessageID) bool {
	i := slices.IndexFunc(conv.lines, func(l *chatLine) bool { return l.id == id })
	if i < 0 || !conv.lines[i].row.box.Visible() {
		return false
	}
	box := conv.lines[i].row.box
	top := box.Position().Y - conv.scroll.Offset.Y
	return top >= 0 && top+box.Size().Height <= conv.scroll.Size().Height
}

func isMarked(conv *conversation, id sipclient.MessageID) bool {
	i := slices.IndexFunc(conv.lines, func(l *chatLine) bool { return l.id == id })
	return i >= 0 && conv.lines[i].row.mark != nil && conv.lines[i].row.mark.Visible()
}

// Typing in the main window's search shows the hits of every
// conversation in place of the roster; clearing it brings the roster back.
func TestSearchAllConversations(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	e := entryWithPlaceholder(t, a.win, "Search all messages")
	test.Type(e, "lemm")
	if core.searches[len(core.searches)-1] != "|lemm" {
		t.Fatalf("searches %q", core.searches)
	}
	if !onScreen(windowContent(a.win), oldLemma) || !onScreen(windowContent(a.win), "Your LEMMA from yesterday holds") {
		t.Fatalf("hits not shown: %q", textsOnScreen(windowContent(a.win)))
	}
	if !onScreen(windowContent(a.win), "You to Poisson · ") || !onScreen(windowContent(a.win), "Laplace · ") || onScreen(windowContent(a.win), "Euler") {
		t.Errorf("hit rows should name the peer and hide the roster: %q", textsOnScreen(windowContent(a.win)))
	}
	e.SetText("")
	if !onScreen(windowContent(a.win), "Euler") || onScreen(windowContent(a.win), oldLemma) {
		t.Errorf("cleared search: %q", textsOnScreen(windowContent(a.win)))
	}
	test.Type(e, "nothing-like-this")
	if !onScreen(windowContent(a.win), "No messages contain “nothing-like-this”.") {
		t.Errorf("no hits: %q", textsOnScreen(windowContent(a.win)))
	}
}

// Tapping a hit opens that conversation at the hit: the pages up to it
// are loaded, it is scrolled into view and marked.
func TestTapHitOpensConversationAtMessage(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	test.Type(entryWithPlaceholder(t, a.win, "Search all messages"), "generating")
	tapOnText(t, a.win, oldLemma)
	cw := a.chats.win
	if cw == nil || a.chats.tabs.Selected() == nil || a.chats.tabs.Selected() != a.chats.convs[pid(laplace)].tab {
		t.Fatalf("Laplace's chat not opened: %v", cw)
	}
	conv := a.chats.convs[pid(laplace)]
	if !scrolledIntoView(conv, 120) || !isMarked(conv, 120) {
		t.Fatalf("hit not in view (offset %v, %d lines) or not marked", conv.scroll.Offset, len(conv.lines))
	}
	if !onScreen(windowContent(cw), oldLemma) || conv.lines[0].text != "laplace says 51" || conv.lines[149].text != "laplace says 200" {
		t.Errorf("want the three pages down to the hit's: %d lines, %q…%q", len(conv.lines), conv.lines[0].text, conv.lines[len(conv.lines)-1].text)
	}
	if !conv.more.Visible() || scrolledIntoView(conv, 400) {
		t.Errorf("older ones not offered (%v) or the newest still in view", conv.more.Visible())
	}
}

// The chat window's search finds only the open conversation's messages,
// and picking a hit scrolls the messages below it.
func TestConversationSearch(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	test.Type(entryWithPlaceholder(t, a.chats.win, "Search this conversation"), "lemma")
	if core.searches[len(core.searches)-1] != laplace+"|lemma" {
		t.Fatalf("searches %q", core.searches)
	}
	hits := textsOnScreen(conv.find.view)
	if !onScreen(conv.find.view, oldLemma) || onScreen(conv.find.view, "Your LEMMA") || len(conv.find.hits) != 1 {
		t.Fatalf("hits of another conversation or none: %q", hits)
	}
	if !conv.scroll.Visible() || !onScreen(windowContent(a.chats.win), "laplace says 200") {
		t.Error("messages not shown below the hits")
	}
	tapOnText(t, a.chats.win, oldLemma)
	if !scrolledIntoView(conv, 120) || !isMarked(conv, 120) {
		t.Fatalf("picked hit not in view (offset %v) or not marked", conv.scroll.Offset)
	}
	conv.find.entry.SetText("")
	if isMarked(conv, 120) || conv.find.view.Visible() {
		t.Error("clearing the search leaves the mark or the hits")
	}
}

// A result that arrives after a newer query was typed is dropped.
func TestSearchDropsStaleResults(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	var queued []func()
	a.bg = func(f func()) { queued = append(queued, f) }
	e := entryWithPlaceholder(t, a.win, "Search all messages")
	test.Type(e, "lemma gen")
	queued[len(queued)-1]() // "lemma gen" answers first...
	queued[0]()             // ...then "l", which matches both
	if !onScreen(windowContent(a.win), oldLemma) || onScreen(windowContent(a.win), "Your LEMMA") {
		t.Errorf("a stale result replaced the newest: %q", textsOnScreen(windowContent(a.win)))
	}
}

// Export writes what the core exports to the chosen file and says so; a
// failure is shown and leaves no partial file.
func TestExportConversation(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	a.openChat(a.contacts[pid(poisson)])
	conv, cw := a.chats.convs[pid(poisson)], a.chats.win
	path := filepath.Join(t.TempDir(), exportName(poisson))
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	a.chats.export(conv, w)
	data, err := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if err != nil || len(lines) != stored || lines[0] != "out "+poisson+": to poisson 1" || lines[stored-1] != "out "+poisson+": to poisson 200" {
		t.Fatalf("exported %d lines, err %v: %q…", len(lines), err, lines[0])
	}
	if !onScreen(topOverlay(cw), "Conversation exported") || !onScreen(topOverlay(cw), "Saved to "+path) {
		t.Errorf("no confirmation: %q", textsOnScreen(topOverlay(cw)))
	}
	topOverlay(cw).Hide()
	cw.Canvas().Overlays().Remove(topOverlay(cw))

	core.exportErr = errors.New("disk on fire")
	bad := filepath.Join(t.TempDir(), "bad.txt")
	w, _ = storage.Writer(storage.NewFileURI(bad))
	a.chats.export(conv, w)
	if !onScreen(topOverlay(cw), "The conversation could not be exported.") || !onScreen(topOverlay(cw), "Details") || onScreen(topOverlay(cw), "disk on fire") {
		t.Errorf("failure not shown: %q", textsOnScreen(topOverlay(cw)))
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("partial file left: %v", err)
	}
}

// The Export button asks where to save.
func TestExportButtonOpensSaveDialog(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.openChat(a.contacts[pid(euler)])
	tapOnText(t, a.chats.win, "Export…")
	if topOverlay(a.chats.win) == nil || !onScreen(topOverlay(a.chats.win), "Save") {
		t.Errorf("no save dialog")
	}
}

func TestSnippetShowsTheMatch(t *testing.T) {
	long := strings.Repeat("filler words here ", 20) + "the Lemma\nholds " + strings.Repeat("and more ", 20)
	got := snippet(long, "lemma", 40)
	if !strings.Contains(got, "the Lemma holds") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet %q", got)
	}
	if got := snippet("short\ntext", "x", 40); got != "short text" {
		t.Errorf("short %q", got)
	}
	if n := len([]rune(snippet(long, "absent", 40))); n != 41 {
		t.Errorf("no match: %d runes", n)
	}
}

// A search on screen finds what arrives or is sent while it is shown,
// in the list of all conversations and in the conversation's own.
func TestSearchRefreshesWithNewMessages(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	e := entryWithPlaceholder(t, a.win, "Search all messages")
	test.Type(e, "bernoulli")
	if !onScreen(windowContent(a.win), "No messages contain “bernoulli”.") {
		t.Fatalf("before: %q", textsOnScreen(windowContent(a.win)))
	}
	core.mu.Lock()
	core.stored[laplace] = append([]sipclient.ChatMessage{{ID: 9001, Direction: "in", Text: "Bernoulli numbers again",
		At: time.Now(), State: "received"}}, core.stored[laplace]...)
	core.mu.Unlock()
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 9001, Peer: pid(laplace), From: laplace, Text: "Bernoulli numbers again", At: time.Now()}})
	if !onScreen(windowContent(a.win), "Bernoulli numbers again") || onScreen(windowContent(a.win), "No messages contain") {
		t.Fatalf("the new message is not among the hits: %q", textsOnScreen(windowContent(a.win)))
	}

	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	test.Type(entryWithPlaceholder(t, a.chats.win, "Search this conversation"), "bernoulli")
	a.chats.send(conv, "and Bernoulli trials")
	shown := func(w fyne.Window) int {
		return len(slices.DeleteFunc(textsOnScreen(windowContent(w)), func(s string) bool { return !strings.Contains(s, "and Bernoulli trials") }))
	}
	// In the chat: the line itself and the conversation search's hit.
	if shown(a.chats.win) != 2 || shown(a.win) != 1 {
		t.Errorf("the sent message is not among the hits:\nchat %q\nmain %q", textsOnScreen(windowContent(a.chats.win)), textsOnScreen(windowContent(a.win)))
	}
}

// A burst of messages while a search is on its way costs one more search
// after it, not one per message.
func TestSearchRefreshCoalesces(t *testing.T) {
	a, core, _ := newTestApp(t)
	storeTwoConversations(core)
	var queued []func()
	a.bg = func(f func()) { queued = append(queued, f) }
	test.Type(entryWithPlaceholder(t, a.win, "Search all messages"), "x")
	if len(queued) != 1 {
		t.Fatalf("%d searches queued for one keystroke", len(queued))
	}
	for range 5 {
		a.historyChanged(pid(laplace))
	}
	if len(queued) != 1 {
		t.Fatalf("%d searches queued while one was on its way, want still 1", len(queued))
	}
	queued[0]()
	if len(queued) != 2 {
		t.Fatalf("after the first search ended %d were queued, want one more", len(queued))
	}
	queued[1]()
	if len(queued) != 2 {
		t.Errorf("%d searches queued in all, want 2", len(queued))
	}
}
