package interop

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/baresip"
	"github.com/parley-im/parley/internal/clitest"
)

// These tests run Debian's baresip 1.0.0 (internal/baresip) against
// parley-cli, peer to peer on loopback, over UDP and over TCP. They skip
// only when the baresip binary is missing.
//
// baresip limits they live with (see internal/baresip's doc.go):
//   - its own status is only online or offline;
//   - it shows a contact as Busy for <rpid:busy/> or <rpid:on-the-phone/>,
//     Offline for closed or <rpid:away/>, Online for open;
//   - it retries a failed SUBSCRIBE only after 30 s, so when it watches
//     Parley, Parley is started first;
//   - it sends MESSAGE over UDP even to a ;transport=tcp contact, so in the
//     TCP runs only Parley's MESSAGE to baresip travels over TCP; Parley
//     listens on UDP and TCP on one port and takes it either way.

// TestBaresipAsPresentity: Parley watches baresip. baresip is started
// first, so Parley's first SUBSCRIBE finds it; Parley sees every status
// change baresip can express.
func TestBaresipAsPresentity(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			peer := baresip.Start(t, baresip.Options{User: "bob", Transport: tr})
			cli := clitest.Start(t, "--user", "parley", "--transport", tr, "--contact", peer.AOR(), "--sip-trace")
			t.Cleanup(peer.Stop) // before Parley is killed, so baresip's final NOTIFY is answered
			bob := bare(peer.AOR())

			cli.WaitEvent(t, waitLong, clitest.Match("subscription", "uri", bob, "state", "active"))
			cli.WaitEvent(t, waitLong, clitest.Match("presence", "uri", bob, "basic", "open"))
			for _, step := range []struct{ set, basic string }{{"offline", "closed"}, {"online", "open"}} {
				mark := cli.Len()
				mustNil(t, peer.SetStatus(step.set))
				cli.WaitEventFrom(t, mark, waitLong, clitest.Match("presence", "uri", bob, "basic", step.basic))
			}
			noErrors(t, cli)
		})
	}
}

// TestBaresipAsWatcher: baresip watches Parley. It sees each Parley status
// as baresip can show it, and Parley's NOTIFYs are checked on the wire as
// baresip received them.
func TestBaresipAsWatcher(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			cli := clitest.Start(t, "--user", "parley", "--transport", tr, "--sip-trace")
			peer := baresip.Start(t, baresip.Options{User: "watcher", Transport: tr, Contacts: []string{cli.AOR()}})
			parley := cli.AOR()

			mustNil(t, peer.WaitPresence(parley, "online", waitLong))
			cli.WaitEvent(t, waitLong, clitest.Match("watcher", "uri", bare(peer.AOR()), "state", "active"))
			// Each step differs from the one before, so the wait sees the change.
			for _, step := range []struct{ status, shows string }{
				{"busy", "busy"}, {"available", "online"}, {"onthephone", "busy"},
				{"offline", "offline"}, {"available", "online"}, {"dnd", "busy"},
				{"away", "offline"}, // baresip shows <rpid:away/> as Offline
				{"available", "online"},
			} {
				cli.Send("status " + step.status)
				if err := peer.WaitPresence(parley, step.shows, waitLong); err != nil {
					t.Fatalf("after Parley status %s: %v", step.status, err)
				}
			}
			checkNotifyWire(t, peer, parley, tr)

			// baresip unsubscribes when it shuts down (SIGTERM).
			peer.Stop()
			cli.WaitEvent(t, waitLong, clitest.Match("watcher", "uri", bare(peer.AOR()), "state", "terminated"))
			noErrors(t, cli)
		})
	}
}

// checkNotifyWire checks every NOTIFY Parley sent baresip, as baresip's
// trace shows it: transport, headers baresip depends on, baresip's 200, and
// RPID activities written with the literal rpid: prefix baresip matches.
func checkNotifyWire(t *testing.T, peer *baresip.Peer, parley, transport string) {
	t.Helper()
	var bodies []string
	// baresip traces its 200 after it has acted on a NOTIFY (shown the
	// presence the caller waited for): give the trace a moment (bounded)
	// to catch up with the last one.
	msgs := peer.Messages()
	for range 50 {
		if allAnswered(msgs, parley) {
			break
		}
		time.Sleep(100 * time.Millisecond)
		msgs = peer.Messages()
	}
	for _, m := range msgs {
		if m.Method != "NOTIFY" || bare(uriOf(m.Get("From"))) != parley {
			continue
		}
		if !strings.EqualFold(m.Proto, transport) {
			t.Errorf("NOTIFY came over %s, want %s:\n%s", m.Proto, transport, m.Raw)
		}
		if m.Get("Event") != "presence" || m.Get("Subscription-State") == "" ||
			m.Body != "" && m.Get("Content-Type") != "application/pidf+xml" {
			t.Errorf("NOTIFY with Event %q, Subscription-State %q, Content-Type %q; want presence, a state, "+
				"exactly application/pidf+xml:\n%s", m.Get("Event"), m.Get("Subscription-State"), m.Get("Content-Type"), m.Raw)
		}
		if code := answerTo(msgs, m); code != 200 {
			t.Errorf("baresip answered NOTIFY CSeq %q with %d, want 200", m.Get("CSeq"), code)
		}
		bodies = append(bodies, m.Body)
	}
	all := strings.Join(bodies, "\n")
	for _, want := range []string{"<rpid:busy/>", "<rpid:on-the-phone/>", "<rpid:away/>",
		"<basic>open</basic>", "<basic>closed</basic>", `entity="` + parley + `"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no NOTIFY body from Parley contains %s; %d bodies:\n%s", want, len(bodies), all)
		}
	}
}

// allAnswered reports whether every NOTIFY from parley in msgs has a
// final answer in msgs.
func allAnswered(msgs []*baresip.SIPMessage, parley string) bool {
	for _, m := range msgs {
		if m.Method == "NOTIFY" && bare(uriOf(m.Get("From"))) == parley && answerTo(msgs, m) == 0 {
			return false
		}
	}
	return true
}

// answerTo returns the status code of the first final response to req in
// msgs (0 if none).
func answerTo(msgs []*baresip.SIPMessage, req *baresip.SIPMessage) int {
	for _, m := range msgs {
		if m.StatusCode >= 200 && m.Get("Call-ID") == req.Get("Call-ID") && m.Get("CSeq") == req.Get("CSeq") {
			return m.StatusCode
		}
	}
	return 0
}

// TestBaresipMessages: MESSAGE both ways with non-ASCII text. baresip's
// MESSAGE to Parley goes over UDP in both runs (a baresip limit); Parley's
// MESSAGE to baresip uses the run's transport.
func TestBaresipMessages(t *testing.T) {
	const text = "Grüße ✓"
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			cli := clitest.Start(t, "--user", "parley", "--transport", tr, "--sip-trace")
			peer := baresip.Start(t, baresip.Options{User: "pager", Transport: tr, MessageContacts: []string{cli.AOR()}})
			bob := bare(peer.AOR())

			mustNil(t, peer.SendMessage(cli.AOR(), text))
			msg := cli.WaitEvent(t, waitLong, clitest.Match("message", "from", bob))
			if msg.Str("text") != text || msg.Str("to") != cli.AOR() || msg.Str("content_type") != "text/plain" {
				t.Errorf("Parley got %v, want text %q to %s", msg, text, cli.AOR())
			}

			mark := cli.Len()
			cli.Send("send " + peer.AOR() + " " + text)
			got, err := peer.NextMessage(waitLong)
			mustNil(t, err)
			if got.Text != text || got.From != cli.AOR() || got.Code != 200 {
				t.Errorf("baresip got %+v, want %q from %s answered 200", got, text, cli.AOR())
			}
			st := cli.WaitEventFrom(t, mark, waitLong, clitest.Match("message_status", "to", bob))
			if st.Str("status") != "sent" || st.Int("code") != 200 {
				t.Errorf("message_status %v, want sent 200", st)
			}
			checkMessageTransport(t, peer, cli.AOR(), tr)
			noErrors(t, cli)
		})
	}
}

// checkMessageTransport checks that Parley's MESSAGE reached baresip over
// the transport the run asked for.
func checkMessageTransport(t *testing.T, peer *baresip.Peer, parley, transport string) {
	t.Helper()
	for _, m := range peer.Messages() {
		if m.Method == "MESSAGE" && bare(uriOf(m.Get("From"))) == parley && !strings.EqualFold(m.Proto, transport) {
			t.Errorf("Parley's MESSAGE came over %s, want %s", m.Proto, transport)
		}
	}
}

// uriOf extracts the URI from a name-addr ("Bob" <sip:bob@h>;tag=1).
func uriOf(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			return s[:j]
		}
	}
	s, _, _ = strings.Cut(s, ";")
	return strings.TrimSpace(s)
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
