package account

import "testing"

// Every peer has exactly one identity whose outbox share claims it, so a
// queued message is never sent twice nor left to nobody.
func TestRouteOwnsEachPeerOnce(t *testing.T) {
	work := NewAccount("work", "sip:alice@Example.com")
	other := NewAccount("other", "sip:carol@example.com") // same domain: the first account wins
	ported := NewAccount("ported", "sip:dave@pbx.test:5070")
	off := NewAccount("off", "sip:erin@off.test")
	off.Enabled = false
	m := &Manager{}
	m.setRoutes([]Account{work, other, ported, off})
	cases := map[string]string{
		"sip:bob@example.com":               "work",
		"sip:bob@EXAMPLE.com;transport=tcp": "work",
		"Bob <sips:bob@example.com>":        "work",
		"sip:bob@pbx.test":                  "ported",
		"sip:bob@pbx.test:5070":             "ported",
		"sip:bob@pbx.test:5080":             direct,
		"sip:bob@off.test":                  direct, // disabled
		"sip:bob@127.0.0.1:5062":            direct,
		"sip:bob@sub.example.com":           direct,
		"not an address":                    direct,
	}
	ids := []string{direct, "work", "other", "ported", "off"}
	for peer, want := range cases {
		if got := m.route(peer); got != want {
			t.Errorf("route(%q) = %q, want %q", peer, got, want)
		}
		claims := 0
		for _, id := range ids {
			if m.sendsTo(id)(peer) {
				claims++
			}
		}
		if claims != 1 {
			t.Errorf("%q is claimed by %d identities", peer, claims)
		}
	}
}
