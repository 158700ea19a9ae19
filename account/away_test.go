package account_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// awaySetup is a Manager whose status is kept in a prefs file, the user's
// status set to st, and a peer watching it.
func awaySetup(t *testing.T, st sipclient.Status) (*account.Manager, *recorder, *recorder, string) {
	t.Helper()
	dir := t.TempDir()
	prefs, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, rec := newManager(t, nil, account.ManagerConfig{Prefs: prefs, Dir: dir})
	if err := m.SetPresence(context.Background(), sipclient.Presence{Status: st, Note: "writing"}); err != nil {
		t.Fatal(err)
	}
	peer, prec := directPeer(t, "peer")
	if err := peer.Subscribe(context.Background(), m.AOR()); err != nil {
		t.Fatal(err)
	}
	prec.wait(t, "first NOTIFY", isPresence("", "writing"))
	return m, rec, prec, filepath.Join(dir, account.PrefsFile)
}

// isPresence matches a contact's presence with this RPID activity and note.
func isPresence(activity, note string) func(sipclient.Event) bool {
	return func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.Basic == sipclient.BasicOpen && p.Activity == activity && p.Note == note
	}
}

func isOwn(auto bool) func(sipclient.Event) bool {
	return func(e sipclient.Event) bool {
		o, ok := e.(sipclient.OwnPresenceChanged)
		return ok && o.Auto == auto
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An Available user who leaves is published Away with the note kept,
// not saved as their choice, and Available again when they come back.
func TestAutoAwayAndBack(t *testing.T) {
	m, rec, prec, prefs := awaySetup(t, sipclient.StatusAvailable)
	saved := readFile(t, prefs)
	away := make(chan bool)
	go m.RunAutoAway(t.Context(), away)
	away <- true
	prec.wait(t, "away, note kept", isPresence("away", "writing"))
	rec.wait(t, "own presence automatic", isOwn(true))
	if !m.AutoAway() || m.Presence().Status != sipclient.StatusAvailable || m.Published().Status != sipclient.StatusAway {
		t.Errorf("auto %v, chosen %v, published %v", m.AutoAway(), m.Presence(), m.Published())
	}
	if got := readFile(t, prefs); got != saved {
		t.Errorf("prefs.json changed by the automatic away:\n%s\nwas\n%s", got, saved)
	}
	away <- false
	_, i := prec.waitFrom(t, 0, "away", isPresence("away", "writing"))
	prec.waitFrom(t, i+1, "available again", isPresence("", "writing"))
	rec.wait(t, "own presence back", isOwn(false))
}

// A status the user chose is never overridden by leaving the desktop.
func TestAutoAwayKeepsChosenStatus(t *testing.T) {
	for _, st := range []sipclient.Status{sipclient.StatusBusy, sipclient.StatusDND, sipclient.StatusAway,
		sipclient.StatusOnThePhone, sipclient.StatusOffline} {
		t.Run(string(st), func(t *testing.T) {
			m, _ := newManager(t, nil, account.ManagerConfig{})
			if err := m.SetPresence(context.Background(), sipclient.Presence{Status: st}); err != nil {
				t.Fatal(err)
			}
			away := make(chan bool)
			done := make(chan struct{})
			go func() { m.RunAutoAway(t.Context(), away); close(done) }()
			away <- true
			away <- false
			away <- true
			close(away)
			<-done
			if m.AutoAway() || m.Published().Status != st {
				t.Errorf("published %v (auto %v); want %v", m.Published(), m.AutoAway(), st)
			}
		})
	}
}

// A status the user chooses while away automatically wins: coming back
// to the desktop does not undo it.
func TestAutoAwayUserChoiceWins(t *testing.T) {
	m, _, prec, _ := awaySetup(t, sipclient.StatusAvailable)
	away := make(chan bool)
	go m.RunAutoAway(t.Context(), away)
	away <- true
	prec.wait(t, "away", isPresence("away", "writing"))
	if err := m.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusBusy, Note: "call"}); err != nil {
		t.Fatal(err)
	}
	away <- false
	away <- true // and leaving again does not override Busy
	prec.wait(t, "busy", isPresence("busy", "call"))
	away <- false
	if m.AutoAway() || m.Published().Status != sipclient.StatusBusy {
		t.Errorf("published %v (auto %v); want busy", m.Published(), m.AutoAway())
	}
}
