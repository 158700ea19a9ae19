package interop

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// These tests prove through parley-cli's events that one person is one
// identity however their client writes the address: a contact's message
// is a contact's message (not a stranger's, not rate-limited) and lands in
// their one conversation; their SUBSCRIBE is a contact's; a block holds
// for every spelling.

// messageFrom is a MESSAGE to aor whose From header is from, as written.
func messageFrom(aor, from, callID string, text string) string {
	return fmt.Sprintf("MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%s\r\n"+
		"From: %s;tag=t-%s\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: 1 MESSAGE\r\n"+
		"Max-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		aor, callID, from, callID, aor, callID, len(text), text)
}

// subscribeFrom is an initial SUBSCRIBE to aor's presence from from, whose
// NOTIFYs go to contact.
func subscribeFrom(aor, from, contact, callID string) string {
	return fmt.Sprintf("SUBSCRIBE %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%s\r\n"+
		"From: %s;tag=t-%s\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: 1 SUBSCRIBE\r\nContact: <%s>\r\n"+
		"Max-Forwards: 70\r\nEvent: presence\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
		aor, callID, from, callID, aor, callID, contact)
}

// sink accepts connections on 127.0.0.1 and reads them to the end: where
// the NOTIFYs to the raw watchers go.
func sink(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = c.Read(make([]byte, 1<<16)) }()
		}
	}()
	return "sip:w@" + l.Addr().String() + ";transport=tcp"
}

func TestOneIdentityThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	roster := filepath.Join(dir, "roster.json")
	book := `{"contacts":[{"uri":"sip:bob@example.test","name":"Bob"}],"blocked_senders":["sip:mallory@example.test"]}`
	if err := os.WriteFile(roster, []byte(book), 0o600); err != nil {
		t.Fatal(err)
	}
	const limit = 3
	cli := clitest.Start(t, "--user", "alice", "--data", dir, "--roster", roster, "--watchers", "ask",
		"--stranger-limit", fmt.Sprint(limit))
	conn := dialCLI(t, cli)
	type sent struct{ from, callID, text string }
	var msgs []sent
	for i := range limit + 2 { // more than a stranger may send
		msgs = append(msgs, sent{`"Bob" <sip:bob@EXAMPLE.test:5060;transport=tcp>`, fmt.Sprintf("bob-%d", i), fmt.Sprintf("from the phone %d", i)})
	}
	msgs = append(msgs, sent{"<sip:bob@example.test>", "bob-desk", "from the desk"})
	for i := range limit + 2 {
		msgs = append(msgs, sent{"<sip:eve@example.test>", fmt.Sprintf("eve-%d", i), fmt.Sprintf("stranger %d", i)})
	}
	msgs = append(msgs, sent{"<sip:mallory@EXAMPLE.TEST:5060;transport=tcp>", "mallory", "blocked spam"})
	answers := make(chan [2]string, len(msgs))
	go statusLines(conn, len(msgs), answers)
	for _, m := range msgs {
		if _, err := conn.Write([]byte(messageFrom(cli.AOR(), m.from, m.callID, m.text))); err != nil {
			t.Fatal(err)
		}
	}
	codes := map[string]string{}
	for a := range answers {
		codes[a[1]] = a[0]
	}
	// sipgo handles the requests of one connection concurrently, so which
	// of the stranger's messages are over the limit depends on timing;
	// how many does not.
	eve := map[string]int{}
	for _, m := range msgs {
		if strings.HasPrefix(m.callID, "eve-") {
			eve[codes[m.callID]]++
		} else if codes[m.callID] != "200" {
			t.Errorf("%s (%s): answered %q, want 200", m.callID, m.from, codes[m.callID])
		}
	}
	if eve["200"] != limit || eve["503"] != 2 {
		t.Errorf("the stranger's %d messages answered %v, want %d × 200 and 2 × 503 (over the limit)", limit+2, eve, limit)
	}

	// The events name the person beside the address as written.
	ev := cli.WaitEvent(t, waitLong, clitest.Match("message", "text", "from the phone 4"))
	if ev.Str("peer") != "sip:bob@example.test" || ev.Str("contact") != "true" || ev.Str("from") != "sip:bob@example.test:5060" {
		t.Errorf("bob's message event: %s", ev)
	}
	ev = cli.WaitEvent(t, waitLong, clitest.Match("message", "peer", "sip:eve@example.test"))
	if ev.Str("peer") != "sip:eve@example.test" || ev.Str("contact") != "false" {
		t.Errorf("eve's message event: %s", ev)
	}
	if n := countEvents(cli, clitest.Match("message", "peer", "sip:mallory@example.test")); n != 0 {
		t.Errorf("the blocked sender's message was announced %d times", n)
	}
	// One conversation, whichever spelling asks for it.
	hist := listHistory(t, cli, "history sips:bob@EXAMPLE.test:5061 50", "history")
	if len(hist) != limit+3 {
		t.Errorf("bob's conversation holds %d messages, want %d: %v", len(hist), limit+3, hist)
	}
	for _, h := range hist {
		if h.Str("peer") != "sip:bob@example.test" {
			t.Errorf("history line of another conversation: %s", h)
		}
	}

	// A contact's SUBSCRIBE is a contact's: let in at once; a stranger's
	// waits for the user.
	notifyTo := sink(t)
	sub := dialCLI(t, cli)
	for _, s := range []string{
		subscribeFrom(cli.AOR(), `"Bob" <sip:bob@EXAMPLE.test:5060;transport=tcp>`, notifyTo, "sub-bob"),
		subscribeFrom(cli.AOR(), "<sip:eve@example.test>", notifyTo, "sub-eve"),
	} {
		if _, err := sub.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	w := cli.WaitEvent(t, waitLong, clitest.Match("watcher", "peer", "sip:bob@example.test"))
	if w.Str("state") != "active" || w.Str("uri") != "sip:bob@example.test:5060" {
		t.Errorf("bob watching: %s", w)
	}
	w = cli.WaitEvent(t, waitLong, clitest.Match("watcher", "peer", "sip:eve@example.test"))
	if w.Str("state") != "pending" {
		t.Errorf("eve watching: %s", w)
	}
}

// Presence events name the contact by its identity, however the address
// was written when subscribing.
func TestPresenceNamesTheIdentity(t *testing.T) {
	carol := clitest.Start(t, "--user", "carol", "--transport", "tcp", "--status", "away")
	alice := clitest.Start(t, "--user", "alice")
	id := carol.AOR() // sip:carol@127.0.0.1:PORT
	alice.Send(`subscribe "Carol" <` + id + `;transport=tcp>`)
	ev := alice.WaitEvent(t, waitLong, clitest.Match("presence", "basic", "open"))
	if ev.Str("peer") != id || ev.Str("activity") != "away" {
		t.Errorf("presence event %s, want peer %s", ev, id)
	}
}
