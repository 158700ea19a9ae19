package sipclient

import (
	"time"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// Event is one thing that happened in the SIP core. The concrete types below
// are the whole vocabulary; callers switch on them.
type Event interface{ isEvent() }

// Basic is a contact's basic presence state, as PIDF defines it, plus
// unknown for "we have no readable document".
type Basic string

// Basic presence states.
const (
	BasicOpen    Basic = "open"
	BasicClosed  Basic = "closed"
	BasicUnknown Basic = "unknown"
)

// PresenceChanged is a whole snapshot of one contact's presence, so a
// consumer may coalesce them and keep only the latest per URI.
type PresenceChanged struct {
	Peer     identity.ID // who: the key for the contact
	URI      string      // the address we subscribed to, as given
	Basic    Basic       // BasicOpen, BasicClosed or BasicUnknown
	Activity string      // RPID activity ("away", "busy", "on-the-phone"...), "" if none
	Note     string
	Contact  string // where the contact says it can be reached
	Raw      string // the last NOTIFY body as received
	At       time.Time
	// LastSeen is when the contact was last known to be available: the
	// last NOTIFY that said open, or the document's timestamp when it
	// says closed. It outlives the subscription: an unknown presence
	// after the subscription ended carries it. Zero if never seen.
	LastSeen time.Time
	// Idle: the contact's device says they left it (RPID user-input
	// idle), since IdleSince (their last input; zero if not told).
	Idle      bool
	IdleSince time.Time
}

// SubscriptionState is the state of our subscription to a contact.
type SubscriptionState string

// Subscription states reported by SubscriptionChanged.
const (
	SubPending    SubscriptionState = "pending"
	SubActive     SubscriptionState = "active"
	SubTerminated SubscriptionState = "terminated"
	SubFailed     SubscriptionState = "failed"
)

// SubscriptionChanged reports the state of our subscription to a contact.
type SubscriptionChanged struct {
	Peer       identity.ID
	URI        string // the address we subscribed to, as given
	State      SubscriptionState
	Reason     string // RFC 6665 reason or the refusal's reason phrase
	Code       int    // status code when a SUBSCRIBE was refused, else 0
	Expires    int    // seconds, when active or pending
	RetryIn    time.Duration
	LastNotify time.Time
}

// MessageReceived is an instant message from someone (RFC 3428).
type MessageReceived struct {
	ID          MessageID   // as History reports it
	Peer        identity.ID // who sent it: the conversation
	From        string      // the sender's address as written (From URI, no parameters)
	FromName    string      // the display name the sender claims
	To          string
	Text        string
	ContentType string
	CallID      string
	FromTag     string
	CSeq        uint32
	At          time.Time
	SentAt      time.Time // the CPIM DateTime the peer gave; zero if none
	CPIM        bool      // it came wrapped in message/cpim (RFC 3862)
	// Mismatch, when not empty, says in words how the CPIM From or To
	// disagree with the SIP ones: shown to the user, never trusted.
	Mismatch string
}

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

// IMPrefs are the user's choices about what the IM dialect tells peers.
type IMPrefs struct {
	TypingNotices bool // tell peers while the user types (RFC 3994)
	ReadReceipts  bool // tell peers that asked when the user saw their message (RFC 5438)
}

// Message delivery states reported by MessageStatus and Delivery: the
// states of an outgoing message in the history, where
// ChatMessage.State reads them.
const (
	MsgSent      = history.StateSent
	MsgStored    = history.StateStored // 202: accepted for later delivery
	MsgFailed    = history.StateFailed
	MsgDelivered = history.StateDelivered // the peer's client said it has it (IMDN)
	MsgRead      = history.StateRead      // the peer's client said the user saw it (IMDN)
)

// MessageStatus reports the fate of a message we sent. ID is what
// SendMessage returned. A failed message with a RetryAt is still in the
// outbox and will be sent again then by itself; one without needs the
// user (RetryMessage) or is given up.
type MessageStatus struct {
	ID      MessageID
	Peer    identity.ID   // who it is for: the conversation
	To      string        // the address it was sent to
	Status  history.State // MsgSent, MsgStored, MsgFailed, MsgDelivered or MsgRead
	Code    int
	Reason  string
	RetryAt time.Time // zero unless Status is MsgFailed and a retry is planned
}

// WatcherState is where someone watching our presence stands.
type WatcherState string

// Watcher states reported by WatcherChanged.
const (
	WatcherPending    WatcherState = "pending"
	WatcherActive     WatcherState = "active"
	WatcherBlocked    WatcherState = "blocked"
	WatcherTerminated WatcherState = "terminated"
)

// WatcherChanged reports someone watching (or asking to watch) our presence.
// State WatcherPending means a decision is wanted: call AuthorizeWatcher.
type WatcherChanged struct {
	Peer    identity.ID // who watches: the key for AuthorizeWatcher
	URI     string      // their address as written (From URI, no parameters)
	State   WatcherState
	Reason  string
	Expires int
}

// Diagnostic reports a problem that is not fatal: an unreadable presence
// document, a malformed request, a failed NOTIFY. What names the operation.
type Diagnostic struct {
	What   string
	Peer   identity.ID // who it is about, when it is about someone
	URI    string      // their address as written
	Detail string
}

// Diagnostic.What values about the user's own setup rather than a peer.
const (
	WhatHistory       = "history"        // the history file failed; messages go to memory
	WhatPresenceRules = "presence rules" // the server did not store who may see the user
	WhatWatcherList   = "watcher list"   // the server's watcher list could not be read
)

func (PresenceChanged) isEvent()     {}
func (SubscriptionChanged) isEvent() {}
func (MessageReceived) isEvent()     {}
func (MessageStatus) isEvent()       {}
func (WatcherChanged) isEvent()      {}
func (Diagnostic) isEvent()          {}
func (TypingChanged) isEvent()       {}

// RegistrationState is the state of our binding at the registrar.
type RegistrationState string

// Registration states reported by RegistrationChanged.
const (
	RegRegistering  RegistrationState = "registering"
	RegRegistered   RegistrationState = "registered"
	RegFailed       RegistrationState = "failed"
	RegUnregistered RegistrationState = "unregistered"
)

// RegistrationChanged reports the state of our binding at the registrar
// (server mode only). A failed registration with a RetryIn is tried again
// by itself; Reason says in words what went wrong ("wrong password",
// "no answer from the server", ...).
type RegistrationChanged struct {
	AOR     string
	State   RegistrationState
	Code    int    // status code of the last answer, 0 for none
	Reason  string // in words, for the user
	Expires int    // seconds granted, when registered
	RetryIn time.Duration
}

// PublicationState is the state of our presence document at the server.
type PublicationState string

// Publication states reported by PublicationChanged.
const (
	PubPublished   PublicationState = "published"
	PubFailed      PublicationState = "failed"
	PubUnsupported PublicationState = "unsupported" // 405/489/501: peers are answered directly only
	PubRemoved     PublicationState = "removed"
)

// PublicationChanged reports our own presence document at the presence
// server (PUBLISH, RFC 3903; server mode only).
type PublicationChanged struct {
	AOR     string
	State   PublicationState
	Code    int
	Reason  string
	Expires int
}

func (RegistrationChanged) isEvent() {}
func (PublicationChanged) isEvent()  {}

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

// OwnPresenceChanged says the user's own published presence changed
// without the user choosing it: Auto true when an automatic Away began
// (the user left the desktop), false when it ended. The account Manager
// emits it; a client never does.
type OwnPresenceChanged struct {
	Presence Presence
	Auto     bool
}

func (OwnPresenceChanged) isEvent() {}
