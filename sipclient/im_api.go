package sipclient

import (
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// MissedCall says someone called (INVITE) and Parley, which takes no calls
// yet, answered 480. It is stored in the history first, as a message with
// ContentType ContentTypeMissedCall, and ID is that row.
type MissedCall struct {
	ID       MessageID
	Peer     identity.ID
	From     string // the caller's address as written
	FromName string
	At       time.Time
}

// ContentTypeMissedCall marks a history row that records a missed call.
const ContentTypeMissedCall = "application/vnd.parley.missed-call"

func (MissedCall) isEvent() {}
