package ui

import (
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// What the core found in a CPIM wrapper shows with the message: a
// mismatch as a warning in words under it, and the time the peer says it
// sent it when that is more than a minute from when it came.
func TestCPIMExtrasShown(t *testing.T) {
	a, _, _ := newTestApp(t)
	at := time.Date(2025, 3, 1, 14, 5, 0, 0, time.Local)
	a.applyBatch([]sipclient.Event{
		sipclient.MessageReceived{ID: 1, Peer: pid(euler), From: euler, Text: "late", At: at, SentAt: at.Add(-3 * time.Minute), CPIM: true,
			Mismatch: "the message says it is from sip:gauss@goettingen.de"},
		sipclient.MessageReceived{ID: 2, Peer: pid(euler), From: euler, Text: "on time", At: at, SentAt: at.Add(-30 * time.Second), CPIM: true},
	})
	cw := a.chats.win
	if !hasText(cw, "14:05  Euler · (sent 14:02)") || !hasText(cw, "Warning: The message says it is from sip:gauss@goettingen.de.") {
		t.Errorf("late message with a mismatch: %q", texts(cw))
	}
	if l := a.chats.convs[pid(euler)].last(); l.row.meta.Text != "" { // in the group of the first, and no sent time shown
		t.Errorf("a message sent 30 s before it came: %q", l.row.meta.Text)
	}
}
