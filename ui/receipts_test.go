package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

// A sent message goes sending… → sent ✓ → delivered ✓✓ → read 14:05 as
// the core reports the peer's receipts, on its own row: the row is the
// same object at the same place, and the chat is not laid out again.
func TestSentLineFollowsReceipts(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.now = func() time.Time { return time.Date(2025, 3, 1, 14, 5, 0, 0, time.Local) }
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	cw := a.chats.win
	a.chats.send(conv, "first")
	a.chats.send(conv, "second")
	line := conv.lines[0]
	objs := append([]fyne.CanvasObject(nil), conv.box.Objects...)
	test.LaidOutObjects(cw.Canvas().Content())
	pos := line.row.box.Position()
	steps := []struct {
		status history.State
		want   string
	}{
		{sipclient.MsgSent, "You · sent ✓"},
		{history.StateDelivered, "You · delivered ✓✓"},
		{history.StateRead, "You · read 14:05"},
		{sipclient.MsgSent, "You · read 14:05"}, // a late answer undoes no receipt
	}
	for _, s := range steps {
		a.applyBatch([]sipclient.Event{sipclient.MessageStatus{ID: sent(1), Peer: pid(poisson), Status: s.status}})
		if got := line.row.meta.Text; !hasText(cw, s.want) || got[len(got)-len(s.want):] != s.want {
			t.Fatalf("after %s: meta %q, want it to end with %q", s.status, got, s.want)
		}
	}
	if conv.lines[1].row.meta.Text != "sending…" /* grouped under the first */ {
		t.Errorf("the other line changed: %q", conv.lines[1].row.meta.Text)
	}
	if !sameObjects(objs, conv.box.Objects) || line.row.box.Position() != pos {
		t.Errorf("the chat was rebuilt or the line moved: %v → %v", pos, line.row.box.Position())
	}
}

func sameObjects(a, b []fyne.CanvasObject) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// History rows show the receipt they were stored with, read with the
// time the display notification came; a receipt for a message shown from
// the history moves it on.
func TestHistoryRowsShowReceipts(t *testing.T) {
	a, core, _ := newTestApp(t)
	readAt := time.Date(2025, 3, 1, 9, 41, 0, 0, time.Local)
	at := readAt.Add(-time.Minute)
	core.stored[laplace] = []sipclient.ChatMessage{ // newest first
		{ID: 4, Direction: history.Out, Text: "four", At: at, State: history.StateSent},
		{ID: 3, Direction: history.Out, Text: "three", At: at, State: history.StateDelivered},
		{ID: 2, Direction: history.Out, Text: "two", At: at, State: history.StateRead, ReadAt: readAt},
		{ID: 1, Direction: history.In, Text: "one", At: at, State: history.StateReceived},
	}
	a.openChat(a.contacts[pid(laplace)])
	cw := a.chats.win
	for _, want := range []string{"You · read 09:41", "delivered ✓✓", "sent ✓"} /* one group: the name heads it */ {
		if !hasText(cw, want) {
			t.Errorf("%q not shown: %q", want, texts(cw))
		}
	}
	a.applyBatch([]sipclient.Event{sipclient.MessageStatus{ID: 4, Peer: pid(laplace), Status: history.StateDelivered}})
	if l := a.chats.convs[pid(laplace)].last(); l.state != lineDelivered || l.row.meta.Text != "delivered ✓✓" {
		t.Errorf("a receipt for a stored message: state %q", l.state)
	}
}

// A receipt for a message out of view is not kept: it would pile up.
func TestReceiptOutOfViewNotKept(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.MessageStatus{ID: 77, Peer: pid(euler), Status: history.StateRead}})
	if len(a.chats.early) != 0 {
		t.Errorf("kept %d early statuses", len(a.chats.early))
	}
}
