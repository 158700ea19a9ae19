package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// After a restart, a contact seen in an earlier run who cannot be reached
// reads "Offline — last seen …" (not Unknown) once the subscription
// fails; until Parley learns anything, the row does not guess.
func TestLastSeenFromEarlierRun(t *testing.T) {
	seen := time.Now().Add(-2 * time.Hour)
	core := newFakeCore()
	core.lastSeen = map[identity.ID]time.Time{pid(euler): seen}
	a := New(newTestFyneApp(t), core, newTestBook(t), Options{})
	a.win.Resize(fyne.NewSize(400, 600))
	a.win.Show()
	want := "Offline — last seen " + seenAt(seen, time.Now())
	if hasText(a.win, want) {
		t.Fatal("Offline shown before Parley learned anything")
	}
	a.applyBatch([]sipclient.Event{sipclient.SubscriptionChanged{Peer: pid(euler), URI: euler, State: sipclient.SubFailed, Reason: "no answer from the peer"}})
	if !hasText(a.win, want) {
		t.Fatalf("roster: want %q in %q", want, texts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.SubscriptionChanged{Peer: pid(poisson), URI: poisson, State: sipclient.SubFailed, Reason: "no answer from the peer"}})
	if got := a.contacts[pid(poisson)].statusText(); got != "Unknown" {
		t.Errorf("a contact never seen reads %q, want Unknown", got)
	}
}
