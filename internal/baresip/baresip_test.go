package baresip

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

const waitLong = 15 * time.Second

// twoAddrs returns two distinct free loopback addresses.
func twoAddrs(t *testing.T) (string, string) {
	t.Helper()
	for i := 0; i < 10; i++ {
		a, err := FreeListenAddr()
		if err != nil {
			t.Fatal(err)
		}
		b, err := FreeListenAddr()
		if err != nil {
			t.Fatal(err)
		}
		if pa, pb := portOf(a), portOf(b); pa-pb > 1 || pb-pa > 1 {
			return a, b // apart: each baresip also takes the next port, for TLS
		}
	}
	t.Fatal("no two distinct free ports")
	return "", ""
}

// TestTwoPeers proves the harness against baresip itself: presence both
// ways, a status change, MESSAGE both ways, over UDP and over TCP.
func TestTwoPeers(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) { testTwoPeers(t, transport) })
	}
}

func testTwoPeers(t *testing.T, transport string) {
	aAddr, bAddr := twoAddrs(t)
	alice := Start(t, Options{User: "alice", ListenAddr: aAddr, Transport: transport,
		Contacts: []string{"sip:bob@" + bAddr}})
	bob := Start(t, Options{User: "bob", ListenAddr: bAddr, Transport: transport,
		Contacts: []string{`"Alice" <sip:alice@` + aAddr + ">"}})
	if transport == "tcp" {
		// alice's first SUBSCRIBE may have hit a closed port (connection
		// refused → next retry in 30 s); restart her subscriptions.
		if err := alice.Resubscribe(); err != nil {
			t.Fatal(err)
		}
	}

	mustNil(t, alice.WaitPresence(bob.AOR(), "online", waitLong))
	mustNil(t, bob.WaitPresence(alice.AOR(), "online", waitLong))

	mustNil(t, bob.SetStatus("offline"))
	mustNil(t, alice.WaitPresence(bob.AOR(), "offline", waitLong))
	mustNil(t, bob.SetStatus("online"))
	mustNil(t, alice.WaitPresence(bob.AOR(), "open", waitLong))
	if err := bob.SetStatus("away"); !errors.Is(err, ErrUnsupportedStatus) {
		t.Errorf("SetStatus(away) = %v, want ErrUnsupportedStatus", err)
	}

	exchange(t, alice, bob, "hello bob, grüße ✓")
	exchange(t, bob, alice, "hi alice")
	checkNotify(t, alice, bob, transport)
}

// exchange sends text from one peer to the other and checks it arrives.
func exchange(t *testing.T, from, to *Peer, text string) {
	t.Helper()
	mustNil(t, from.SendMessage(to.AOR(), text))
	m, err := to.NextMessage(waitLong)
	mustNil(t, err)
	if aorKey(m.From) != aorKey(from.AOR()) || m.Text != text || m.Code != 200 ||
		m.ContentType != "text/plain" {
		t.Errorf("%s received %+v, want text %q from %s", to.AOR(), m, text, from.AOR())
	}
}

// checkNotify checks the NOTIFYs alice received from bob on the wire.
func checkNotify(t *testing.T, alice, bob *Peer, transport string) {
	t.Helper()
	var bodies []string
	for _, m := range alice.Messages() {
		if m.Method != "NOTIFY" || aorKey(m.Get("From")) != aorKey(bob.AOR()) {
			continue
		}
		if !strings.EqualFold(m.Proto, transport) {
			t.Errorf("NOTIFY over %s, want %s", m.Proto, transport)
		}
		if m.Get("Event") != "presence" || m.Get("Content-Type") != "application/pidf+xml" ||
			!strings.HasPrefix(m.Get("Subscription-State"), "active") &&
				!strings.HasPrefix(m.Get("Subscription-State"), "terminated") {
			t.Errorf("unexpected NOTIFY headers:\n%s", m.Raw)
		}
		bodies = append(bodies, m.Body)
	}
	all := strings.Join(bodies, "\n")
	for _, want := range []string{"<basic>open</basic>", "<basic>closed</basic>",
		`entity="` + aorKey(bob.AOR()) + `"`} {
		if !strings.Contains(all, want) {
			t.Errorf("no NOTIFY body contains %s; bodies:\n%s", want, all)
		}
	}
}

func TestUnknownContact(t *testing.T) {
	p := Start(t, Options{User: "carol"})
	err := p.SendMessage("sip:nobody@127.0.0.1:9", "x")
	if !errors.Is(err, ErrUnknownContact) {
		t.Fatalf("SendMessage to unknown contact = %v, want ErrUnknownContact", err)
	}
	if _, err := p.Command("no_such_command", ""); !errors.Is(err, ErrCommand) {
		t.Fatalf("bad command = %v, want ErrCommand", err)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestMissingBinarySkips checks that a missing baresip skips, never passes.
func TestMissingBinarySkips(t *testing.T) {
	skipped := false
	t.Run("missing", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Start(t, Options{Binary: "/nonexistent/baresip"})
		t.Error("Start returned without a baresip binary")
	})
	if !skipped {
		t.Fatal("Start did not skip when the binary is missing")
	}
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}
