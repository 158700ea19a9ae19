package interop

import (
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// TestReferenceFlow runs the flow of ../shared/seed/README.md between two
// parley-cli processes with no proxy between them: Chebychev watches
// Poisson, sees closed then open (with note and contact), they exchange
// MESSAGEs outside any dialog, Poisson goes away, Chebychev quits and
// Poisson sees the watcher leave. The document's flow is over TCP; the UDP
// run proves the same over datagrams.
func TestReferenceFlow(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			referenceFlow(t, tr)
		})
	}
}

func referenceFlow(t *testing.T, transport string) {
	poisson := clitest.Start(t, "--user", "poisson", "--display-name", "M. Poisson",
		"--transport", transport, "--status", "offline", "--sip-trace")
	poissonURI := withTransport(poisson.AOR(), transport)
	cheb := clitest.Start(t, "--user", "chebychev", "--display-name", "P. L. Chebychev",
		"--transport", transport, "--contact", poissonURI, "--sip-trace")
	chebURI := withTransport(cheb.AOR(), transport)

	// F1-F4: SUBSCRIBE accepted, first NOTIFY says closed.
	cheb.WaitEvent(t, waitLong, clitest.Match("subscription", "uri", poisson.AOR(), "state", "active"))
	cheb.WaitEvent(t, waitLong, clitest.Match("presence", "uri", poisson.AOR(), "basic", "closed"))
	poisson.WaitEvent(t, waitLong, clitest.Match("watcher", "uri", cheb.AOR(), "state", "active"))

	// F5-F6: Poisson comes online; the NOTIFY carries note and contact.
	mark := cheb.Len()
	poisson.Send("status available In the lab")
	open := cheb.WaitEventFrom(t, mark, waitLong, clitest.Match("presence", "uri", poisson.AOR(), "basic", "open"))
	if open.Str("note") != "In the lab" || !strings.HasPrefix(open.Str("contact"), poisson.AOR()) {
		t.Errorf("open presence %v: want note %q and a contact starting with %s", open, "In the lab", poisson.AOR())
	}
	if transport == "tcp" && !strings.Contains(open.Str("contact"), "transport=tcp") {
		t.Errorf("contact %q does not say transport=tcp though Poisson runs over TCP", open.Str("contact"))
	}

	// F7-F10: MESSAGEs both ways, outside the subscription dialog.
	exchange(t, cheb, poisson, poissonURI, "Hi There!", "P. L. Chebychev")
	exchange(t, poisson, cheb, chebURI, "Well, hello there to you, too!", "M. Poisson")

	// Beyond the document: an RPID activity with a note.
	mark = cheb.Len()
	poisson.Send("status away Gone fishing")
	away := cheb.WaitEventFrom(t, mark, waitLong, clitest.Match("presence", "uri", poisson.AOR(), "activity", "away"))
	if away.Str("basic") != "open" || away.Str("note") != "Gone fishing" {
		t.Errorf("away presence %v: want basic open, note %q", away, "Gone fishing")
	}

	// Chebychev leaves: he unsubscribes, answers Poisson's final NOTIFY and
	// exits; Poisson sees the watcher go.
	cheb.RequestQuit()
	if code := cheb.Wait(t, clitest.QuitTimeout); code != 0 {
		t.Errorf("chebychev exited with code %d after quit, want 0", code)
	}
	checkFinalNotifyAnswered(t, cheb)
	poisson.WaitEvent(t, waitLong, clitest.Match("watcher", "uri", cheb.AOR(), "state", "terminated"))
	noErrors(t, cheb)
	noErrors(t, poisson)
	quitAll(t, poisson)
}

// checkFinalNotifyAnswered checks in the watcher's SIP trace that it
// answered the notifier's final NOTIFY (Subscription-State: terminated,
// sent in reply to its unsubscribe) with 200 before exiting (RFC 6665
// 4.1.2.3: the unsubscribe's final NOTIFY is part of the dialog).
func checkFinalNotifyAnswered(t *testing.T, watcher *clitest.CLI) {
	t.Helper()
	msgs := parseTrace(watcher.Stderr())
	for i, m := range msgs {
		if m.Dir != "recv" || !m.IsRequest("NOTIFY") || !strings.HasPrefix(m.Get("Subscription-State"), "terminated") {
			continue
		}
		answer := "no answer"
		for _, r := range msgs[i+1:] {
			if r.Dir == "send" && r.Code() != "" && r.Get("CSeq") == m.Get("CSeq") && r.Get("Call-ID") == m.Get("Call-ID") {
				answer = r.Start
				break
			}
		}
		if !strings.HasPrefix(answer, "SIP/2.0 200") {
			t.Errorf("%s answered the final NOTIFY (CSeq %s, %s) with %q, want 200 OK",
				watcher.AOR(), m.Get("CSeq"), m.Get("Subscription-State"), answer)
		}
		return
	}
	t.Errorf("%s received no final NOTIFY (Subscription-State: terminated) after unsubscribing", watcher.AOR())
}

// exchange sends text from one CLI to the other and checks both ends: the
// receiver's message event and the sender's delivery status.
func exchange(t *testing.T, from, to *clitest.CLI, toURI, text, fromName string) {
	t.Helper()
	mark := from.Len()
	from.Send("send " + toURI + " " + text)
	msg := to.WaitEvent(t, waitLong, clitest.Match("message", "text", text))
	if msg.Str("from") != from.AOR() || msg.Str("from_name") != fromName || msg.Str("to") != to.AOR() ||
		msg.Str("content_type") != "text/plain" || msg.Str("call_id") == "" {
		t.Errorf("message %v: want from %s (%s) to %s, text/plain, a Call-ID", msg, from.AOR(), fromName, to.AOR())
	}
	st := from.WaitEventFrom(t, mark, waitLong, clitest.Match("message_status", "to", to.AOR()))
	if st.Str("status") != "sent" || st.Int("code") != 200 {
		t.Errorf("message_status %v: want sent, 200", st)
	}
}
