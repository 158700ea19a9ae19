package ui

import (
	"testing"

	"github.com/parley-im/parley/sipclient"
)

// TestBuddyListFallbackNotice: a refused buddy list shows a sentence in
// the main window; a working one shows none.
func TestBuddyListFallbackNotice(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.ListChanged{AOR: alice, URI: "sip:alice-buddies@parley.test", State: sipclient.ListRefused, Code: 404, Reason: "Not Found"}})
	want := "The server of alice@parley.test does not offer your buddy list alice-buddies@parley.test; each contact is watched on its own, which costs more traffic."
	if !shows(a.win, want) {
		t.Errorf("no fallback notice: %q", shownTexts(a.win))
	}
	a.applyBatch([]sipclient.Event{sipclient.ListChanged{AOR: alice, URI: "sip:alice-buddies@parley.test", State: sipclient.ListActive}})
	if shows(a.win, "buddy list") {
		t.Errorf("notice stays with the list active: %q", shownTexts(a.win))
	}
}
