package winfo

// ContentType is the media type of watcher information bodies; Namespace
// is the XML namespace of their elements.
const (
	ContentType = "application/watcherinfo+xml"
	Namespace   = "urn:ietf:params:xml:ns:watcherinfo"
)

// MaxBodySize bounds what Decode will parse. A watcher costs about 200
// bytes, so this holds a few hundred of them.
const MaxBodySize = 64 << 10

// Document states (the state attribute of <watcherinfo>).
const (
	StateFull    = "full"
	StatePartial = "partial"
)

// Watcher statuses (RFC 3858 section 3): the state of one subscription.
const (
	StatusPending    = "pending"    // awaiting the user's authorization
	StatusActive     = "active"     // authorized
	StatusWaiting    = "waiting"    // was pending and expired; still awaits a decision
	StatusTerminated = "terminated" // gone; see Event for why
)

// Watcher events (RFC 3858 section 3): what caused the last status change.
const (
	EventSubscribe   = "subscribe"
	EventApproved    = "approved"
	EventDeactivated = "deactivated"
	EventProbation   = "probation"
	EventRejected    = "rejected"
	EventTimeout     = "timeout"
	EventGiveUp      = "giveup"
	EventNoResource  = "noresource"
)

// Document is one watcherinfo body.
type Document struct {
	Version int    // increments by one per NOTIFY within a subscription
	State   string // StateFull or StatePartial
	Lists   []WatcherList
}

// WatcherList holds the watchers of one resource in one event package.
type WatcherList struct {
	Resource string // the watched URI, e.g. the user's own AOR
	Package  string // the watched event package, normally "presence"
	Watchers []Watcher
}

// Watcher is one subscription to the resource. All strings are
// whitespace-trimmed; the numbers are seconds, 0 when absent.
type Watcher struct {
	ID          string // unique per subscription (Kamailio uses its Call-ID)
	URI         string // who subscribes
	DisplayName string
	Status      string // a Status constant
	Event       string // an Event constant; kept as sent when unknown, "" when absent
	// DurationSubscribed is how long the subscription has existed;
	// Expiration how long until it expires.
	DurationSubscribed, Expiration int
}

// Pending returns the watchers, across all lists, whose subscriptions
// await the user's decision.
func (d *Document) Pending() []Watcher {
	if d == nil {
		return nil
	}
	var out []Watcher
	for _, l := range d.Lists {
		for _, w := range l.Watchers {
			if w.Status == StatusPending {
				out = append(out, w)
			}
		}
	}
	return out
}

// validStatus reports whether s is one of the four statuses of RFC 3858.
func validStatus(s string) bool {
	switch s {
	case StatusPending, StatusActive, StatusWaiting, StatusTerminated:
		return true
	}
	return false
}
