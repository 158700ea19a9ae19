package account_test

import (
	"context"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// Revoking a watcher through the Manager ends their subscription at once.
func TestManagerEndWatcher(t *testing.T) {
	m, _ := newManager(t, nil, account.ManagerConfig{})
	peer, prec := directPeer(t, "peer")
	if err := peer.Subscribe(context.Background(), m.AOR()); err != nil {
		t.Fatal(err)
	}
	prec.wait(t, "open", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.Basic == sipclient.BasicOpen
	})
	if err := m.EndWatcher(pid(peer.AOR())); err != nil {
		t.Fatal(err)
	}
	prec.wait(t, "terminated, rejected", func(e sipclient.Event) bool {
		s, ok := e.(sipclient.SubscriptionChanged)
		return ok && s.State == sipclient.SubTerminated && s.Reason == "rejected"
	})
}
