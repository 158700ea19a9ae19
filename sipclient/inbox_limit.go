package sipclient

import (
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// strangerLimit bounds how many messages from strangers (senders the user
// does not know) are stored per minute: per sender, and from all of them
// together. In direct mode anyone can write, under any From, and every
// message is stored with an fsync before its 200; without a bound one
// peer could fill the disk at the insert rate. Known senders are never
// limited.
type strangerLimit struct {
	perSender, total int

	mu     sync.Mutex
	window time.Time // start of the current minute
	counts map[identity.ID]int
	all    int
}

// allow reports whether a message from a stranger may be stored now, and
// counts it if so. The counts start again every minute, so the map holds
// at most total senders.
func (l *strangerLimit) allow(from identity.ID, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Minute {
		l.window, l.counts, l.all = now, map[identity.ID]int{}, 0
	}
	if l.counts[from] >= l.perSender || l.all >= l.total {
		return false
	}
	l.counts[from]++
	l.all++
	return true
}
