package interop

import (
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// Parley ↔ Parley in the IM dialect: after one message each way (whose
// 200s say what each takes), typing shows and clears, and a message goes
// sent → delivered → read as the other side reads; with
// --no-read-receipts it stays delivered.
func TestParleyIMDialect(t *testing.T) {
	alice := clitest.Start(t, "--user", "alice", "--transport", "tcp", "--sip-trace")
	bob := clitest.Start(t, "--user", "bob", "--transport", "tcp", "--sip-trace")
	carol := clitest.Start(t, "--user", "carol", "--transport", "tcp", "--no-read-receipts")
	aliceURI, bobURI, carolURI := withTransport(alice.AOR(), "tcp"), withTransport(bob.AOR(), "tcp"), withTransport(carol.AOR(), "tcp")
	for _, peer := range []struct {
		c   *clitest.CLI
		uri string
	}{{bob, bobURI}, {carol, carolURI}} {
		exchange(t, alice, peer.c, peer.uri, "hello "+peer.c.AOR(), "")
		exchange(t, peer.c, alice, aliceURI, "hello alice from "+peer.c.AOR(), "")
	}

	mark := bob.Len()
	alice.Send("typing " + bobURI + " active")
	bob.WaitEventFrom(t, mark, waitLong, clitest.Match("typing", "uri", alice.AOR(), "state", "active"))
	alice.Send("typing " + bobURI + " idle")
	bob.WaitEventFrom(t, mark, waitLong, clitest.Match("typing", "uri", alice.AOR(), "state", "idle"))

	id := sendQueued(t, alice, bobURI, "did you get this?")
	msg := bob.WaitEvent(t, waitLong, clitest.Match("message", "text", "did you get this?"))
	if msg.Str("cpim") != "true" || msg.Str("sent_at") == "" {
		t.Errorf("bob got %v, want it in CPIM with sent_at", msg)
	}
	alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "sent"))
	alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "delivered"))
	bob.Send("read " + alice.AOR())
	alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "read"))

	quiet := sendQueued(t, alice, carolURI, "read this quietly")
	carol.WaitEvent(t, waitLong, clitest.Match("message", "text", "read this quietly"))
	alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", quiet, "status", "delivered"))
	carol.Send("read " + alice.AOR())
	carol.Send("send " + aliceURI + " sentinel") // after the read: its receipt would come first
	alice.WaitEvent(t, waitLong, clitest.Match("message", "text", "sentinel"))
	if n := countEvents(alice, clitest.Match("message_status", "id", quiet, "status", "read")); n != 0 {
		t.Errorf("carol runs --no-read-receipts, yet alice's message was read")
	}
	for _, c := range []*clitest.CLI{alice, bob, carol} {
		noErrors(t, c)
	}
	noRefusals(t, alice)
	noRefusals(t, bob)
	quitAll(t, alice, bob, carol)
}

// noRefusals fails for any 4xx/5xx in a CLI's SIP trace.
func noRefusals(t *testing.T, c *clitest.CLI) {
	t.Helper()
	for _, m := range parseTrace(c.Stderr()) {
		if code := m.Code(); code >= "400" && code < "700" {
			t.Errorf("%s: %s %s for %s", c.AOR(), m.Dir, m.Start, m.Get("CSeq"))
		}
	}
}
