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

// TestLargeMessageFromBaresip: baresip 1.0.0 does not switch to TCP: its
// MESSAGE of over 1300 bytes to a UDP contact goes over UDP, and Parley
// takes it. (Its message command refuses a text of about 1,400 bytes with
// EINVAL, so this one is about 1,000 bytes of text, 1,350 on the wire.)
func TestLargeMessageFromBaresip(t *testing.T) {
	text := strings.Repeat("a long line over the UDP limit. ", 30) + "The end."
	cli := clitest.Start(t, "--user", "parley", "--transport", "udp")
	peer := baresip.Start(t, baresip.Options{User: "pager", Transport: "udp", MessageContacts: []string{cli.AOR()}})
	mustNil(t, peer.SendMessage(cli.AOR(), text))
	msg := cli.WaitEvent(t, waitLong, clitest.Match("message", "from", bare(peer.AOR())))
	if msg.Str("text") != text {
		t.Errorf("Parley got %d bytes, want %d", len(msg.Str("text")), len(text))
	}
	for _, m := range peer.Messages() {
		if m.Method == "MESSAGE" && bare(uriOf(m.Get("From"))) == bare(peer.AOR()) {
			t.Logf("baresip sent its %d-byte MESSAGE over %s", len(m.Raw), m.Proto)
			if len(m.Raw) <= 1300 {
				t.Errorf("baresip's MESSAGE is %d bytes: not over the UDP limit", len(m.Raw))
			}
		}
	}
	noErrors(t, cli)
}
