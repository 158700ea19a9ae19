package ui

import (
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/history"
)

// An outgoing message's line shows how far it got: sending…, sent ✓
// (the server or peer took it), delivered ✓✓ and read 14:05 (the peer's
// client said so, RFC 5438), or not delivered with Retry and Delete.

// status applies a delivery outcome or a receipt to the message it
// belongs to, on its one row: nothing else in the chat moves. A status
// for a message not shown is kept only while a send is on its way (its
// ID may be the one the core is about to return); the others are for
// messages out of view, which read their state from the history when
// shown.
func (cw *chatWindow) status(ev sipclient.MessageStatus) {
	line := cw.byID[ev.ID]
	if line == nil {
		if cw.sending > 0 {
			cw.early[ev.ID] = ev
		}
		return
	}
	state, fail := lineState(ev.Status), failure.Failure{}
	switch state {
	case lineReceived:
		cw.app.log.Info("message status not known", "id", ev.ID, "status", ev.Status)
		return
	case lineFailed:
		fail = failure.FromStatus(ev.Code, ev.Reason)
	}
	if receiptRank(state) < receiptRank(line.state) {
		return // a late answer never undoes a receipt
	}
	line.state, line.fail, line.retryAt = state, fail, ev.RetryAt
	if state == lineRead {
		line.readAt = cw.app.now() // the event carries no time: it is now
	}
	line.row.update(line)
}

// lineState is how a line shows an outgoing message's state; a state it
// does not know shows as none (lineReceived).
func lineState(s history.State) string {
	switch s {
	case history.StatePending:
		return linePending
	case history.StateSent:
		return lineSent
	case history.StateStored:
		return lineStored
	case history.StateFailed:
		return lineFailed
	case history.StateDelivered:
		return lineDelivered
	case history.StateRead:
		return lineRead
	}
	return lineReceived
}

// receiptRank orders the states a receipt moves a message through: a
// message the peer has is past any answer to its sending.
func receiptRank(state string) int {
	switch state {
	case lineDelivered:
		return 1
	case lineRead:
		return 2
	}
	return 0
}

// readText words a read receipt: when it came, if known.
func readText(at time.Time) string {
	if at.IsZero() {
		return "read ✓✓"
	}
	return "read " + clock(at)
}
