package account_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

// startOn is a Manager on the history file path, closed with it at the
// end of the test (or earlier, by the returned stop).
func startOn(t *testing.T, path string) (*account.Manager, *recorder, func()) {
	t.Helper()
	store, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := account.NewManager(account.ManagerConfig{Store: store, Dir: filepath.Join(filepath.Dir(path), "config"),
		Direct: sipclient.Config{ListenAddr: "127.0.0.1:0", User: "me"}, Options: testOptions()})
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	stop := func() { m.Close(); store.Close() }
	t.Cleanup(stop)
	return m, record(m.Events()), stop
}

func isOffline(e sipclient.Event) bool {
	p, ok := e.(sipclient.PresenceChanged)
	return ok && p.Basic == sipclient.BasicClosed
}

// "Offline — last seen 14:05" survives a restart: a contact seen
// available, then gone, is still last seen then after Parley starts
// again, though the new session never saw them available.
func TestLastSeenKeptAcrossRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	peer, _ := directPeer(t, "bob")
	m, rec, stop := startOn(t, path)
	if err := m.Subscribe(ctx, peer.AOR()); err != nil {
		t.Fatal(err)
	}
	ev, _ := rec.waitFrom(t, 0, "bob available", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.Basic == sipclient.BasicOpen
	})
	seen := ev.(sipclient.PresenceChanged).LastSeen
	if seen.IsZero() {
		t.Fatal("an open NOTIFY without a last-seen time")
	}
	if err := peer.SetPresence(ctx, sipclient.Presence{Status: sipclient.StatusOffline}); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "bob offline", isOffline)
	stop()

	m2, rec2, _ := startOn(t, path)
	if err := m2.Subscribe(ctx, peer.AOR()); err != nil {
		t.Fatal(err)
	}
	ev, _ = rec2.waitFrom(t, 0, "bob offline after the restart", isOffline)
	if got := ev.(sipclient.PresenceChanged).LastSeen; !got.Equal(seen) {
		t.Errorf("last seen after restart %v, want %v", got, seen)
	}
}
