package sipclient

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/natrelay"
)

// behindNAT starts a server whose NATAddr listener neither forces rport
// nor fixes NATed contacts, and a NAT relay towards it.
func behindNAT(t *testing.T, opts kamailio.Options) (*kamailio.Server, *natrelay.Relay) {
	t.Helper()
	opts.Users, opts.NoForceRport = kamUsers, true
	srv := kamailio.Start(t, opts)
	relay, err := natrelay.Start(srv.NATAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	return srv, relay
}

// natClient is user's client on 127.0.0.2 (its private address) with the
// relay as outbound proxy: everything it sends to the server crosses the
// NAT.
func natClient(t *testing.T, srv *kamailio.Server, relay *natrelay.Relay, user, instance string, opts ...Option) (*Client, *recorder) {
	t.Helper()
	if l, err := net.ListenPacket("udp", "127.0.0.2:0"); err != nil {
		t.Skipf("no 127.0.0.2 on this host: %v", err)
	} else {
		l.Close()
	}
	sc := &ServerConfig{AOR: "sip:" + user + "@" + srv.Domain(), Registrar: "sip:" + srv.NATAddr(),
		OutboundProxy: "sip:" + relay.Addr(), Password: kamUsers[user], Expires: 300, KeepAlive: 500 * time.Millisecond, InstanceID: instance}
	opts = append([]Option{WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(3 * time.Second)}, opts...)
	c, err := New(Config{ListenAddr: "127.0.0.2:0", User: user, Server: sc}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c)
}

// registerOK is a 200 to a REGISTER as traced, up to its blank line.
var registerOK = regexp.MustCompile(`SIP/2\.0 200 OK\r\n(?:[^\r\n]+\r\n)*?CSeq: \d+ REGISTER\r\n(?:[^\r\n]+\r\n)*`)

var viaRport = regexp.MustCompile(`(?m)^Via: SIP/2\.0/UDP 127\.0\.0\.2:\d+;[^\r\n]*\brport\b`)

// Behind a NAT, at a server that does not force rport: our ;rport makes
// the server answer the NAT's public port, so registration completes, our
// Contact names the public side, and a MESSAGE to us arrives through it.
func TestRegisterBehindNAT(t *testing.T) {
	srv, relay := behindNAT(t, kamailio.Options{})
	var trace syncBuffer
	alice, arec := natClient(t, srv, relay, "alice", "", WithTrace(&trace))
	arec.wait(t, "alice registered through the NAT", isReg(RegRegistered))
	if !viaRport.MatchString(trace.String()) {
		t.Fatalf("no ;rport in our UDP Via:\n%s", trace.String())
	}
	public := relay.Public(alice.ListenAddrs()[0][len("udp:"):])
	if got := alice.reg.contactAddr(); public == "" || got.String() != public {
		t.Fatalf("Contact names %s, the NAT maps us to %q", got.String(), public)
	}
	// The registrar holds the public address alone: the binding of the
	// private one, registered before we knew better, is gone, so the
	// MESSAGE below can only have come through the NAT.
	oks := registerOK.FindAllString(trace.String(), -1)
	if len(oks) == 0 || !strings.Contains(oks[len(oks)-1], "<sip:alice@"+public+">") || strings.Contains(oks[len(oks)-1], "<sip:alice@127.0.0.2") {
		t.Fatalf("registrar's bindings after the last REGISTER:\n%v", oks)
	}
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	brec.wait(t, "bob registered", isReg(RegRegistered))
	if d, err := bob.DeliverMessage(context.Background(), "sip:alice@"+srv.Domain(), "through your NAT"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> alice: %+v %v", d, err)
	}
	arec.wait(t, "message through the NAT", func(e Event) bool { m, ok := e.(MessageReceived); return ok && m.Text == "through your NAT" })
}

// The same without ;rport (as Parley was): the server answers the port in
// our Via at the NAT's public address, where nothing listens, and the
// registration never completes.
func TestRegisterBehindNATFailsWithoutRport(t *testing.T) {
	srv, relay := behindNAT(t, kamailio.Options{})
	var trace syncBuffer
	_, arec := natClient(t, srv, relay, "alice", "", WithTrace(&trace), WithRequestTimeout(1500*time.Millisecond),
		func(o *options) { o.noRport = true })
	ev := arec.wait(t, "registration failed", isReg(RegFailed)).(RegistrationChanged)
	if ev.Reason != "no answer from the server" {
		t.Errorf("failure reason %q", ev.Reason)
	}
	if viaRport.MatchString(trace.String()) {
		t.Fatal("rport sent though switched off")
	}
	if arec.count(isReg(RegRegistered)) != 0 {
		t.Fatal("registered without rport: the NAT is not one")
	}
}
