package sipclient

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/internal/kamailio"
)

// longText is over the 1300 bytes RFC 3261 18.1.1 allows on UDP when the
// path MTU is unknown.
var longText = strings.Repeat("A long line of text, written to go over the UDP limit. ", 55) + "The end." // ~3 KB

// receivedOver finds the MESSAGE or NOTIFY a client listening at addr
// received over transport in a trace.
func receivedOver(trace, transport, addr, method string) bool {
	re := regexp.MustCompile(`--- SIP recv ` + transport + ` \S+ -> ` + regexp.QuoteMeta(addr) + ` ---\n` + method + ` sip:`)
	return re.MatchString(trace)
}

// Between two Parleys configured for UDP: a 3 KB MESSAGE goes over TCP to
// the same host and port, with a TCP Via, and arrives; a short one still
// goes over UDP.
func TestLargeMessageGoesOverTCP(t *testing.T) {
	var trace syncBuffer
	alice, _ := newTestClient(t, "alice", "udp", WithTrace(&trace))
	bob, brec := newTestClient(t, "bob", "udp")
	ctx := context.Background()
	if d, err := alice.DeliverMessage(ctx, bob.AOR(), "short"); err != nil || d.Status != MsgSent {
		t.Fatalf("short message: %+v %v", d, err)
	}
	if d, err := alice.DeliverMessage(ctx, bob.AOR(), longText); err != nil || d.Status != MsgSent {
		t.Fatalf("long message: %+v %v", d, err)
	}
	brec.wait(t, "long message", isMessage(longText))
	tr := trace.String()
	if !receivedOver(tr, "UDP", bob.udpLaddr.String(), "MESSAGE") {
		t.Error("the short MESSAGE did not arrive over UDP")
	}
	if !receivedOver(tr, "TCP", tcpAddr(bob), "MESSAGE") {
		t.Fatalf("the long MESSAGE did not arrive over TCP:\n%s", tr)
	}
	if !strings.Contains(tr, "Via: SIP/2.0/TCP ") {
		t.Error("no TCP Via on the long MESSAGE")
	}
}

// A peer listening on UDP only: the long MESSAGE fails at once, as too
// large for it, and is not retried (a retry would fail the same way).
func TestLargeMessageToPeerWithoutTCP(t *testing.T) {
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	alice, arec := newTestClient(t, "alice", "udp")
	d, err := alice.DeliverMessage(context.Background(), "sip:bob@"+udp.LocalAddr().String(), longText)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != MsgFailed || !strings.Contains(d.Reason, ErrTooLargeForUDP.Error()) {
		t.Fatalf("delivery %+v, want failed as too large for UDP", d)
	}
	st := arec.wait(t, "failed", func(e Event) bool {
		s, ok := e.(MessageStatus)
		return ok && s.ID == d.ID && s.Status == MsgFailed
	}).(MessageStatus)
	if !st.RetryAt.IsZero() {
		t.Fatalf("queued for a retry at %v", st.RetryAt)
	}
}

// A presentity configured for UDP with a note that makes its PIDF over
// the limit: the NOTIFY goes over TCP and the UDP watcher reads the note.
func TestLargeNotifyToUDPWatcher(t *testing.T) {
	var trace syncBuffer
	bob, _ := newTestClient(t, "bob", "udp", WithTrace(&trace))
	alice, arec := newTestClient(t, "alice", "udp")
	ctx := context.Background()
	if err := alice.Subscribe(ctx, bob.AOR()); err != nil {
		t.Fatal(err)
	}
	arec.wait(t, "open", isPresence(bob.AOR(), BasicOpen))
	if err := bob.SetPresence(ctx, Presence{Status: StatusAvailable, Note: longText}); err != nil {
		t.Fatal(err)
	}
	arec.wait(t, "the long note", func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && p.Note == longText
	})
	if !receivedOver(trace.String(), "TCP", tcpAddr(alice), "NOTIFY") {
		t.Fatal("the long NOTIFY did not arrive over TCP")
	}
}

// sipgo still refuses the datagram itself: the switch above depends on
// this error, so a sipgo upgrade that changes it shows here.
func TestSipgoRefusesLargeDatagram(t *testing.T) {
	if !tooLargeForUDP(errors.Join(errors.New("fail to write request"), sip.ErrUDPMTUCongestion)) {
		t.Fatal("sip.ErrUDPMTUCongestion not recognised")
	}
	if sip.UDPMTUSize-200 != 1300 {
		t.Fatalf("sipgo's UDP limit moved to %d bytes", sip.UDPMTUSize-200)
	}
}

// An account on UDP through the project's Kamailio (which listens on TCP
// at the same port): the PUBLISH of a long note and a 3 KB MESSAGE go to
// the server over TCP and succeed; the watcher and the receiver, on UDP
// too, get them.
func TestLargeRequestsThroughServerOverUDPAccount(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	var trace syncBuffer
	alice, arec := serverClient(t, srv, "alice", kamUsers["alice"], "udp", WithTrace(&trace))
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	arec.wait(t, "alice registered", isReg(RegRegistered))
	brec.wait(t, "bob registered", isReg(RegRegistered))
	ctx := context.Background()
	if err := bob.Subscribe(ctx, "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "subscription active", isSub("sip:alice@parley.test", SubActive))
	if err := alice.SetPresence(ctx, Presence{Status: StatusAway, Note: longText}); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "the long note", func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && p.URI == "sip:alice@parley.test" && p.Note == longText
	})
	if d, err := alice.DeliverMessage(ctx, "sip:bob@parley.test", longText); err != nil || d.Status != MsgSent {
		t.Fatalf("alice -> bob: %+v %v", d, err)
	}
	brec.wait(t, "long message", isMessage(longText))
	tr := trace.String()
	for _, m := range []string{"PUBLISH", "MESSAGE"} {
		re := regexp.MustCompile(`--- SIP send TCP \S+ -> ` + regexp.QuoteMeta(srv.UDPAddr()) + ` ---\n` + m + ` sip:[^\n]*\nVia: SIP/2.0/TCP `)
		if !re.MatchString(tr) {
			t.Errorf("no %s to the server over TCP", m)
		}
	}
	if arec.count(isReg(RegRegistered)) != 1 {
		t.Error("the account registered again: its UDP registration was disturbed")
	}
}
