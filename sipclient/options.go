package sipclient

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// Decision is the answer of a watcher-authorization policy.
type Decision int

// What to do with someone who subscribes to our presence.
const (
	Allow Decision = iota // they see our real status
	Block                 // polite blocking: they see us as offline
	Ask                   // pending until AuthorizeWatcher is called
)

// Book is what the core asks about a person: the user's contact book
// (account.Book in the app and parley-cli). The core holds no copy of its
// answers, so a change the user makes there applies at once. It is called
// from the core's own goroutines and must be safe for concurrent use.
type Book interface {
	// WatcherDecision says whether who may see our presence: a
	// remembered answer, else Allow for a contact, else the book's
	// answer for strangers (Ask, or Allow for an open presence).
	WatcherDecision(who identity.ID) Decision
	// SenderBlocked reports a sender the user blocked: their MESSAGEs
	// are answered 200, as if delivered, but neither stored nor
	// announced, so they fill neither the disk nor the history and
	// cannot tell they are blocked.
	SenderBlocked(who identity.ID) bool
	// IsContact reports someone in the contact list; contacts are never
	// rate-limited (WithStrangerLimit).
	IsContact(who identity.ID) bool
}

// openBook is the book of a client given none: everyone may watch, no
// one is blocked, no one is a contact.
type openBook struct{}

func (openBook) WatcherDecision(identity.ID) Decision { return Allow }
func (openBook) SenderBlocked(identity.ID) bool       { return false }
func (openBook) IsContact(identity.ID) bool           { return false }

// Config is what identifies this user agent.
type Config struct {
	ListenAddr  string // host:port for UDP and TCP; port 0 picks a free one
	User        string // user part of the direct-mode AOR sip:User@host:port
	DisplayName string
	Transport   string   // "udp" or "tcp": default for outgoing requests
	Presence    Presence // initial own presence
	// Server, when set, is the account this client registers with (server
	// mode). Nil means direct peer-to-peer mode.
	Server *ServerConfig
}

type options struct {
	log           *slog.Logger
	trace         io.Writer
	book          Book
	subExpires    int // what we ask for in SUBSCRIBE
	maxExpires    int // cap on what watchers get
	maxWatchers   int // subscriptions to us held at once
	limit         *strangerLimit
	minExpires    int           // below this a watcher gets 423
	retryMin      time.Duration // registration and publication backoff
	retryMax      time.Duration
	subRetry      retrySchedule // re-subscribe backoff, per contact (retry.go)
	maxPending    int           // new SUBSCRIBEs awaiting an answer at once; 0: no limit
	reqTimeout    time.Duration
	maxBody       int
	userAgentName string
	store         *history.Store  // nil: an in-memory store the client owns
	backoff       []time.Duration // outbox retry delays, the last one repeats
	pubExpires    int             // what we ask for in PUBLISH
	sendsTo       func(peer string) bool
	fallback      func(ctx context.Context) (*history.Store, error)
	imPrefs       *IMPrefs // nil: defaultIMPrefs
	// noRport leaves ;rport out of our Vias: only tests set it, to show
	// what a NAT does to a client without RFC 3581.
	noRport bool
}

// Option tunes a Client.
type Option func(*options)

func defaultOptions() options {
	return options{
		log:           slog.New(slog.DiscardHandler),
		book:          openBook{},
		subExpires:    3600,
		maxExpires:    3600,
		maxWatchers:   defaultMaxWatchers,
		minExpires:    60,
		retryMin:      2 * time.Second,
		retryMax:      5 * time.Minute,
		subRetry:      defaultSubRetry,
		maxPending:    defaultMaxPending,
		reqTimeout:    32 * time.Second,
		maxBody:       32 << 10,
		userAgentName: "Parley/0.1",
		backoff:       defaultBackoff,
		pubExpires:    3600,
	}
}

// WithLogger sets the structured logger (also handed to sipgo).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithTrace prints every SIP message sent or received to w, with
// credentials redacted, until the client closes. sipgo's trace hook is
// process-wide, so w sees the traffic of every client in the process.
func WithTrace(w io.Writer) Option { return func(o *options) { o.trace = w } }

// WithBook gives the user's contact book, the one source of who is a
// contact, who is blocked and who may watch (default: everyone may watch).
func WithBook(b Book) Option { return func(o *options) { o.book = b } }

// WithSubscribeExpires sets the subscription duration we ask for.
func WithSubscribeExpires(sec int) Option { return func(o *options) { o.subExpires = sec } }

// WithExpiresRange sets the shortest and longest subscription we grant.
func WithExpiresRange(minSec, maxSec int) Option {
	return func(o *options) { o.minExpires, o.maxExpires = minSec, maxSec }
}

// defaultMaxWatchers bounds the subscriptions to us held at once. In
// direct mode anyone can subscribe; each subscription holds a dialog and a
// timer and costs a NOTIFY at every status change, so a flood of them
// would grow memory and turn one change into a flood of our own.
const defaultMaxWatchers = 1000

// WithMaxWatchers sets how many subscriptions to us are held at once;
// beyond it a new one is refused with 503 and Retry-After.
func WithMaxWatchers(n int) Option { return func(o *options) { o.maxWatchers = n } }

// WithStrangerLimit stores at most perSender messages a minute from each
// sender that known reports false for, and total from all of them
// together; beyond, a MESSAGE gets 503 with Retry-After: 60, so the
// sender's client (or a server holding it) tries again later. Contacts
// (Book.IsContact) are never limited. Without this option there is no limit.
func WithStrangerLimit(perSender, total int) Option {
	return func(o *options) { o.limit = &strangerLimit{perSender: perSender, total: total} }
}

// WithRetry sets the backoff range after failures: the wait after the
// first, doubled per failure in a row up to max, with jitter. It applies
// to re-subscribing to each contact (default 30 s to 30 min, started over
// at any sign of life from them) and to re-registering and re-publishing
// (default 2 s to 5 min). Tests use short ones.
func WithRetry(first, max time.Duration) Option {
	return func(o *options) {
		o.retryMin, o.retryMax = first, max
		o.subRetry = retrySchedule{first: first, max: max}
	}
}

// WithMaxPendingSubscribes bounds the new SUBSCRIBEs awaiting an answer
// at once (default 64); the others wait their turn. One unanswered after
// 4 s gives its turn up. 0 is no bound.
func WithMaxPendingSubscribes(n int) Option { return func(o *options) { o.maxPending = n } }

// WithRequestTimeout bounds how long one request waits for its answer.
func WithRequestTimeout(d time.Duration) Option { return func(o *options) { o.reqTimeout = d } }

// WithMaxBody sets the largest body accepted in a MESSAGE or NOTIFY.
func WithMaxBody(n int) Option { return func(o *options) { o.maxBody = n } }

// WithStore makes the client keep chat history and its outbox in s. The
// caller owns s and closes it after the client. Without this option the
// client uses an in-memory store that lives as long as the client.
func WithStore(s *history.Store) Option { return func(o *options) { o.store = s } }

// WithOutboxBackoff sets the delays between automatic resends of a message
// whose failure may pass (no answer, 408, 480, 503...): the first delay
// after the first failure, and so on, the last one repeating. A
// Retry-After in the answer takes precedence. Default: 5 s, 15 s, 1 min,
// 5 min, then every 15 min. Tests use short ones.
func WithOutboxBackoff(delays ...time.Duration) Option {
	return func(o *options) {
		if len(delays) > 0 {
			o.backoff = delays
		}
	}
}

// WithPublishExpires sets how long our presence document lives at the
// server before a refresh (default 3600 s).
func WithPublishExpires(sec int) Option { return func(o *options) { o.pubExpires = sec } }

// WithOutboxShare is for several clients (identities) sharing one store:
// this client sends only the queued messages whose peer address of record
// mine reports true for; the others are left to their own client.
func WithOutboxShare(mine func(peerAOR string) bool) Option {
	return func(o *options) { o.sendsTo = mine }
}

// WithFallbackStore is for clients sharing one store (see WithOutboxShare):
// when that store fails mid-session they all go on in the one in-memory
// store open returns (open must return the same store every time), so
// message IDs stay unique across them. The caller closes it.
func WithFallbackStore(open func(ctx context.Context) (*history.Store, error)) Option {
	return func(o *options) { o.fallback = open }
}
