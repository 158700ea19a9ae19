package sipclient

import (
	"sync"
	"time"
)

// strangerLimit bounds how many messages from strangers (senders the user
// does not know) are stored per minute: per sender, and from all of them
// together. In direct mode anyone can write, under any From, and every
// message is stored with an fsync before its 200; without a bound one
// peer could fill the disk at the insert rate. Known senders are never
// limited.
type strangerLimit struct {
	known            func(aor string) bool
	perSender, total int

	mu     sync.Mutex
	window time.Time // start of the current minute
	counts map[string]int
	all    int
}

// allow reports whether a message from aor may be stored now, and counts
// it if so. The counts start again every minute, so the map holds at most
// total senders.
func (l *strangerLimit) allow(aor string, now time.Time) bool {
	if l == nil || l.known(aor) {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Minute {
		l.window, l.counts, l.all = now, map[string]int{}, 0
	}
	if l.counts[aor] >= l.perSender || l.all >= l.total {
		return false
	}
	l.counts[aor]++
	l.all++
	return true
}
