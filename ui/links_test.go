package ui

import "testing"

// A sip: link to a contact opens that contact's chat, whatever spelling
// the link uses, and raises a hidden main window.
func TestLinkOpensContactsChat(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.win.Hide()
	a.Raise()
	a.OpenLink("SIP:laplace@PROBABILITY.ORG:5060?subject=hello")
	if a.chats.win == nil || a.chats.tabs.Selected() != a.chats.convs[pid(laplace)].tab {
		t.Fatalf("the link did not open Laplace's chat")
	}
	if topOverlay(a.win) != nil {
		t.Errorf("a dialog was shown for a contact: %q", textsOnScreen(topOverlay(a.win)))
	}
}

// A link to someone not in the contacts offers to add them, the address
// filled in; adding opens their chat.
func TestLinkToStrangerOffersToAdd(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.OpenLink("sip:bob@127.0.0.1:5070")
	d := topOverlay(a.win)
	if d == nil || !onScreen(d, "sip:bob@127.0.0.1:5070 is not in your contacts. Add them to chat:") {
		t.Fatalf("no offer to add: %v", d)
	}
	tapButton(t, d, "Add")
	bob := a.contacts[pid("sip:bob@127.0.0.1:5070")]
	if bob == nil || core.subscribed[len(core.subscribed)-1] != "sip:bob@127.0.0.1:5070" {
		t.Fatalf("Bob not added and watched: %v", core.subscribed)
	}
	if a.chats.win == nil || a.chats.tabs.Selected() != a.chats.convs[bob.ID].tab {
		t.Errorf("adding Bob did not open his chat")
	}
}

// Anything but a sip: or sips: link is told, in words, not followed.
func TestBadLinkIsToldInWords(t *testing.T) {
	for _, link := range []string{"https://127.0.0.1/x", "sip:", "mailto:bob@127.0.0.1"} {
		a, _, _ := newTestApp(t)
		a.OpenLink(link)
		if !a.bannerBox.Visible() || !hasText(a.win, "Parley could not open the link “"+link+"”") {
			t.Errorf("%s: banner says %q", link, a.banner.Text)
		}
		if a.chats.win != nil || topOverlay(a.win) != nil {
			t.Errorf("%s: opened something", link)
		}
	}
}
