package history

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// Direction says who wrote a message.
type Direction string

const (
	In  Direction = "in"  // received from the peer
	Out Direction = "out" // written by the user
)

// State is where a message is in its life. Incoming messages are always
// StateReceived; outgoing ones move between the other four.
type State string

const (
	StateReceived State = "received" // incoming, stored before the 200 OK
	StatePending  State = "pending"  // outgoing, stored, not (yet) answered
	StateSent     State = "sent"     // outgoing, a 2xx other than 202 came back
	StateStored   State = "stored"   // outgoing, 202 Accepted: a server holds it for the peer
	StateFailed   State = "failed"   // outgoing, answered with an error or timed out
	// The peer's own receipts (IMDN, RFC 5438) move a sent message on.
	StateDelivered State = "delivered" // outgoing, the peer's client said it has it
	StateRead      State = "read"      // outgoing, the peer's client said the user saw it
)

// Message is one chat message.
type Message struct {
	ID          int64
	Peer        identity.ID // the conversation: who the peer is
	PeerURI     string      // the peer's URI as seen on the wire
	Direction   Direction
	At          time.Time // when it was sent or received
	Text        string
	ContentType string // "text/plain" if left empty
	// The SIP identifiers of the MESSAGE; for incoming messages they are
	// what a retransmission is recognized by.
	CallID, FromTag string
	CSeq            uint32
	State           State
	Code            int    // last SIP status code, 0 if none yet
	Reason          string // reason phrase or local error of a failure
	Attempts        int    // send attempts since it was queued or retried
	NextAttempt     time.Time
	// IMDNID is the imdn.Message-ID: ours for an outgoing message that
	// asks for notifications, the sender's for an incoming one (a resend
	// with a new Call-ID and the same IMDNID is the same message).
	IMDNID  string
	CPIM    bool      // it was (to be) sent, or came, wrapped in message/cpim
	SentAt  time.Time // incoming: the CPIM DateTime the sender gave; zero if none
	Notify  Notify    // incoming: the notifications the sender asked for
	ReadAt  time.Time // outgoing: when the peer said the user saw it; zero if not
	Display bool      // incoming: its display notification is done (sent, or not to be sent)
}

// Notify is the set of disposition notifications (RFC 5438) a sender
// asked for, as stored.
type Notify uint8

// The notifications a sender may ask for.
const (
	NotifyDelivery Notify = 1 << iota // positive-delivery
	NotifyFailure                     // negative-delivery
	NotifyDisplay                     // display
)

// columnList is, in scanMessage's order, what every query selects.
var columnList = []string{"id", "peer", "peer_uri", "direction", "at", "text",
	"content_type", "call_id", "from_tag", "cseq", "state", "code", "reason",
	"attempts", "next_attempt", "imdn_id", "cpim", "sent_at", "notify", "read_at", "displayed"}

var (
	columns  = strings.Join(columnList, ", ")
	mColumns = "m." + strings.Join(columnList, ", m.") // for joins, table aliased m
)

type scanner interface{ Scan(dest ...any) error }

func scanMessage(sc scanner) (Message, error) {
	var m Message
	var at, next, sent, read int64
	var peer string
	err := sc.Scan(&m.ID, &peer, &m.PeerURI, &m.Direction, &at, &m.Text,
		&m.ContentType, &m.CallID, &m.FromTag, &m.CSeq, &m.State, &m.Code,
		&m.Reason, &m.Attempts, &next, &m.IMDNID, &m.CPIM, &sent, &m.Notify, &read, &m.Display)
	if err == nil {
		m.Peer, err = storedPeer(peer)
	}
	m.At = fromNanos(at)
	m.NextAttempt = fromNanos(next)
	m.SentAt, m.ReadAt = fromNanos(sent), fromNanos(read)
	return m, err
}

// collect reads every row; it closes rows so the single in-memory
// connection is free again when it returns.
func collect(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Times are stored as Unix nanoseconds: exact, sortable, zone-free.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// storedPeer reads a peer column. Every row holds a canonical identity
// (migration 3 made older rows so), so a failure means a damaged file.
func storedPeer(s string) (identity.ID, error) {
	id, err := identity.Parse(s)
	if err != nil {
		return id, fmt.Errorf("stored peer: %w", err)
	}
	return id, nil
}
