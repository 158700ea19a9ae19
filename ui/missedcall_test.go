package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

// A missed call from a contact is a line of its own in their chat, the
// same after the history is read again, and a notification while Parley
// is in the background.
func TestMissedCallInChat(t *testing.T) {
	a, core, notes := newTestApp(t)
	at := time.Date(2025, 3, 1, 14, 5, 0, 0, time.Local)
	// The core stores the call before it announces it.
	core.stored[poisson] = []sipclient.ChatMessage{
		{ID: 8, Peer: pid(poisson), Direction: history.In, At: at, State: history.StateReceived, ContentType: sipclient.ContentTypeMissedCall},
		{ID: 7, Peer: pid(poisson), Direction: history.In, Text: "I'll call you", At: at.Add(-time.Minute), State: history.StateReceived},
	}
	a.inFront = false
	a.applyBatch([]sipclient.Event{sipclient.MissedCall{ID: 8, Peer: pid(poisson), From: poisson, FromName: "Poisson", At: at}})
	cw := a.chats.win
	const want = "Missed call from Poisson, 14:05"
	if cw == nil || !hasText(cw, want) || missedLines(a.chats.convs[pid(poisson)]) != 1 {
		t.Fatalf("missed call not shown once: %q", texts(cw))
	}
	if len(*notes) != 1 || (*notes)[0] != "Missed call: "+want {
		t.Errorf("notifications %q", *notes)
	}
	conv := a.chats.convs[pid(poisson)]
	row := conv.last().row
	if row.meta.Visible() || row.text.Alignment != fyne.TextAlignCenter || !row.text.TextStyle.Italic {
		t.Errorf("the missed call is styled as a message: meta %v, align %v, style %+v", row.meta.Visible(), row.text.Alignment, row.text.TextStyle)
	}
	a.chats.showLatest(conv) // the history read again
	if !hasText(cw, want) || missedLines(conv) != 1 || !hasText(cw, "I'll call you") || conv.last().state != lineMissed {
		t.Errorf("after reading the history again: %q", texts(cw))
	}
}

func missedLines(conv *conversation) int {
	n := 0
	for _, l := range conv.lines {
		if l.state == lineMissed {
			n++
		}
	}
	return n
}

// A stranger's missed call waits in the message requests like a message,
// and goes into the chat once accepted.
func TestStrangerMissedCallIsARequest(t *testing.T) {
	a, _, notes := newTestApp(t)
	stranger := "sip:bernoulli@basel.ch"
	at := time.Date(2025, 3, 1, 14, 5, 0, 0, time.Local)
	a.inFront = false
	a.applyBatch([]sipclient.Event{sipclient.MissedCall{ID: 9, Peer: pid(stranger), From: stranger, At: at}})
	if a.chats.win != nil || a.reqBtn.Text != "Message requests (1)" {
		t.Fatalf("chat %v, requests button %q", a.chats.win != nil, a.reqBtn.Text)
	}
	if len(*notes) != 1 || !strings.HasPrefix((*notes)[0], "Missed call: From "+stranger) {
		t.Errorf("notifications %q", *notes)
	}
	a.showRequests()
	if !onScreen(topOverlay(a.win), "14:05  Missed call") {
		t.Errorf("request card: %q", textsOnScreen(topOverlay(a.win)))
	}
	a.acceptRequest(pid(stranger))
	if !slices.Contains(texts(a.chats.win), "Missed call from bernoulli@basel.ch, 14:05") {
		t.Errorf("accepted: %q", texts(a.chats.win))
	}
}
