package sipclient

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// TypingChanged says the peer started (Active) or stopped composing a
// message (RFC 3994). The core keeps the refresh timeout itself: it emits
// Active false on the peer's idle, when the indication's refresh runs out
// (120 s by default), and when the peer's message arrives (just before its
// MessageReceived).
type TypingChanged struct {
	Peer   identity.ID
	URI    string // the sender's address as written
	Active bool
	At     time.Time
}

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

// IMPrefs are the user's choices about what the IM dialect tells peers.
type IMPrefs struct {
	TypingNotices bool // tell peers while the user types (RFC 3994)
	ReadReceipts  bool // tell peers that asked when the user saw their message (RFC 5438)
}

func (TypingChanged) isEvent() {}
func (MissedCall) isEvent()    {}

// SetTyping tells the peer at uri (an address, as for SendMessage) that the
// user is (active) or stopped composing. The core decides whether a notice
// really goes out: never with typing notices off, never to a peer that
// refused one, only to a peer that showed it takes them; it refreshes and
// goes idle by itself. It never fails a message nor overtakes one.
func (c *Client) SetTyping(ctx context.Context, uri string, active bool) error {
	return nil // the contract; built in the im-core work
}

// MarkRead says the user has seen the messages of peer's conversation
// shown to them: display notifications go out for those that asked for
// one, unless read receipts are off. Calling it again sends nothing twice.
func (c *Client) MarkRead(ctx context.Context, peer identity.ID) error {
	return nil // the contract; built in the im-core work
}

// SetIMPrefs sets the user's choices at run time (both are on by default).
func (c *Client) SetIMPrefs(p IMPrefs) {}
