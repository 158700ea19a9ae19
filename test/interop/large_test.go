package interop

import (
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/baresip"
	"github.com/parley-im/parley/internal/clitest"
)

// TestLargeMessageOverTCPToBaresip: parley-cli and baresip both configured
// for UDP; Parley's 3 KB MESSAGE is over the 1300 bytes RFC 3261 18.1.1
// allows on UDP, so it goes over TCP to baresip's address (baresip
// listens on UDP and TCP on one port) and arrives whole, answered 200.
func TestLargeMessageOverTCPToBaresip(t *testing.T) {
	text := strings.Repeat("Grüße, a long line over the UDP limit. ", 80) + "The end."
	cli := clitest.Start(t, "--user", "parley", "--transport", "udp")
	peer := baresip.Start(t, baresip.Options{User: "pager", Transport: "udp", MessageContacts: []string{cli.AOR()}})
	bob := bare(peer.AOR())
	mark := cli.Len()
	cli.Send("send " + peer.AOR() + " " + text)
	got, err := peer.NextMessage(waitLong)
	mustNil(t, err)
	if got.Text != text || got.Code != 200 {
		t.Errorf("baresip got %d bytes answered %d, want %d bytes answered 200", len(got.Text), got.Code, len(text))
	}
	st := cli.WaitEventFrom(t, mark, waitLong, clitest.Match("message_status", "to", bob))
	if st.Str("status") != "sent" || st.Int("code") != 200 {
		t.Errorf("message_status %v, want sent 200", st)
	}
	checkMessageTransport(t, peer, cli.AOR(), "tcp")
	for _, m := range peer.Messages() {
		if m.Method == "MESSAGE" && !strings.HasPrefix(m.Get("Via"), "SIP/2.0/TCP") {
			t.Errorf("Via %q on the MESSAGE over TCP", m.Get("Via"))
		}
	}
	noErrors(t, cli)
}
