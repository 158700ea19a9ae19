package ui

import (
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// What another device did to the contact list at the server shows here:
// its new contact appears, the one it removed goes, and a contact both
// changed is put to the user, whose answer is kept.
func TestRosterFromOtherDevice(t *testing.T) {
	a, _, _ := newTestApp(t)
	const gauss = "sip:gauss@goettingen.de"
	// The sync changed the book, as account.ServerRoster does.
	a.book.Add(account.Contact{URI: gauss, Name: "Gauss", Group: "Lab"})
	a.book.Remove(pid(laplace))
	a.book.Update(pid(euler), "Leonhard", "Basel")
	a.applyBatch([]sipclient.Event{sipclient.RosterSynced{AOR: "sip:me@parley.test",
		Added: []identity.ID{pid(gauss)}, Removed: []identity.ID{pid(laplace)},
		Conflicts: []sipclient.RosterConflict{{Peer: pid(euler), LocalName: "Euler", ServerName: "Leonhard", ServerGroup: "Basel"}}}})
	if !shows(a.win, "Gauss") || shows(a.win, "Laplace") || !shows(a.win, "Leonhard") {
		t.Errorf("roster after the sync: %q", shownTexts(a.win))
	}
	top := a.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(strings.Join(textsOnScreen(top), " "), "named “Leonhard” in “Basel” on your other device") {
		t.Fatalf("no question about the contact changed on both devices")
	}
	// Not asked for: an Enter meant for another field decides nothing.
	if b, ok := a.win.Canvas().Focused().(*keyButton); !ok || b.Text != "Keep the other device's" {
		t.Errorf("focus on %v, want the button that changes nothing", a.win.Canvas().Focused())
	}
	tapButton(t, top, "Keep the one from here")
	if c, _ := a.book.Contact(pid(euler)); c.Name != "Euler" || c.Group != "" {
		t.Errorf("kept %+v, want the name from here", c)
	}
	if !shows(a.win, "Euler") {
		t.Errorf("roster after keeping the local name: %q", shownTexts(a.win))
	}
}
