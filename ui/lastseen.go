package ui

import (
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// lastSeenCore is the part of the core that keeps when contacts were
// last seen available across restarts (account.Manager).
type lastSeenCore interface {
	LastSeen(peer identity.ID) time.Time
}

// restoreLastSeen gives a contact the last-seen time kept from earlier
// runs. It shows only once Parley learns the contact is not available:
// until then the row says it does not know yet.
func (a *App) restoreLastSeen(cs *contactState) {
	if c, ok := a.core.(lastSeenCore); ok {
		cs.lastSeen = c.LastSeen(cs.ID)
	}
}

// seenBefore: a subscription that failed or ended for a contact seen
// available before (in this run or an earlier one) means Offline since
// then, not Unknown.
func seenBefore(c *contactState, ev sipclient.SubscriptionChanged) {
	if (ev.State == sipclient.SubFailed || ev.State == sipclient.SubTerminated) && !c.lastSeen.IsZero() {
		c.known = true
	}
}
