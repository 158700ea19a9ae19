package account_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// The threshold the user chooses is saved in prefs.json, read at the
// next start, and the flag's override is not saved.
func TestAutoAwayAfterSaved(t *testing.T) {
	dir := t.TempDir()
	prefs, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newManager(t, nil, account.ManagerConfig{Prefs: prefs, Dir: dir})
	if m.AutoAwayAfter() != account.DefaultIdleAway {
		t.Fatalf("default %v", m.AutoAwayAfter())
	}
	if err := m.SetAutoAwayAfter(15 * time.Minute); err != nil {
		t.Fatal(err)
	}
	m.OverrideAutoAwayAfter(3 * time.Second)
	if m.AutoAwayAfter() != 3*time.Second {
		t.Errorf("override: %v", m.AutoAwayAfter())
	}
	again, err := account.OpenPrefs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := again.AwayAfter(); !ok || d != 15*time.Minute {
		t.Errorf("saved %v %v, want 15m", d, ok)
	}
	if err := again.SetAwayAfter(0); err != nil { // Off is kept as Off, not as the default
		t.Fatal(err)
	}
	third, _ := account.OpenPrefs(dir)
	if d, ok := third.AwayAfter(); !ok || d != 0 {
		t.Errorf("off saved as %v %v", d, ok)
	}
}

// A new threshold applies at once: the desktop is watched again with it;
// Off stops watching and ends an automatic Away; the automatic Away
// reaches a watcher as user-input idle with the last input.
func TestAutoAwayAfterLive(t *testing.T) {
	m, _, prec, _ := awaySetup(t, sipclient.StatusAvailable)
	type call struct {
		d    time.Duration
		away chan account.Desktop
	}
	calls := make(chan call, 4)
	watch := func(ctx context.Context, d time.Duration) <-chan account.Desktop {
		c := call{d, make(chan account.Desktop, 1)}
		calls <- c
		return c.away
	}
	go m.WatchAutoAway(t.Context(), watch)
	first := <-calls
	if first.d != account.DefaultIdleAway {
		t.Fatalf("watched with %v", first.d)
	}
	before := time.Now()
	first.away <- account.Desktop{Away: true, Idle: true}
	ev, _ := prec.waitFrom(t, 0, "idle away", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.Activity == "away" && p.Idle
	})
	since := ev.(sipclient.PresenceChanged).IdleSince
	if want := before.Add(-account.DefaultIdleAway); since.Before(want.Add(-2*time.Second)) || since.After(time.Now()) {
		t.Errorf("idle since %v, want about %v", since, want)
	}
	if !strings.Contains(ev.(sipclient.PresenceChanged).Raw, `idle-threshold="300"`) {
		t.Errorf("NOTIFY body:\n%s", ev.(sipclient.PresenceChanged).Raw)
	}
	if err := m.SetAutoAwayAfter(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if second := <-calls; second.d != 10*time.Minute {
		t.Fatalf("watched again with %v", second.d)
	}
	if m.AutoAway() {
		t.Error("the automatic Away outlived the change of setting")
	}
	if err := m.SetAutoAwayAfter(0); err != nil {
		t.Fatal(err)
	}
	if err := m.SetAutoAwayAfter(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if third := <-calls; third.d != 30*time.Minute {
		t.Errorf("after Off and 30 min: watched with %v (Off must not watch)", third.d)
	}
}

// A locked screen alone makes the user Away at once: idle on the wire,
// without a last-input time, which nobody knows then.
func TestAutoAwayLockedHasNoLastInput(t *testing.T) {
	m, _, prec, _ := awaySetup(t, sipclient.StatusAvailable)
	away := make(chan account.Desktop, 1)
	go m.WatchAutoAway(t.Context(), func(context.Context, time.Duration) <-chan account.Desktop { return away })
	away <- account.Desktop{Away: true}
	ev, _ := prec.waitFrom(t, 0, "locked away", func(e sipclient.Event) bool {
		p, ok := e.(sipclient.PresenceChanged)
		return ok && p.Activity == "away" && p.Idle
	})
	p := ev.(sipclient.PresenceChanged)
	if !p.IdleSince.IsZero() || strings.Contains(p.Raw, "last-input") || !strings.Contains(p.Raw, `idle-threshold="300"`) {
		t.Errorf("idle since %v; body:\n%s", p.IdleSince, p.Raw)
	}
}
