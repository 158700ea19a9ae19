package sipclient

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/natrelay"
)

// outboundClient is serverClient with an instance ID, so it registers
// with Outbound and GRUU where the server offers them.
func outboundClient(t *testing.T, srv *kamailio.Server, user, transport, instance string, opts ...Option) (*Client, *recorder) {
	t.Helper()
	addr := srv.UDPAddr()
	sc := &ServerConfig{AOR: "sip:" + user + "@" + srv.Domain(), Registrar: "sip:" + addr + ";transport=" + transport,
		Password: kamUsers[user], Expires: 300, KeepAlive: 30 * time.Second, InstanceID: instance}
	opts = append([]Option{WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(3 * time.Second)}, opts...)
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: user, Server: sc}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c)
}

var (
	sentRegister = regexp.MustCompile(`(?s)REGISTER sip:[^\r\n]*\r\n.*?\r\n\r\n`)
	gruuContact  = regexp.MustCompile(`(?m)^(SUBSCRIBE|MESSAGE) sip:[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?Contact: <sip:alice@parley\.test;gr=urn:uuid:[0-9a-f-]+>`)
)

// Against a server with Outbound and GRUU: the REGISTER offers both with
// our instance and reg-id, the 2xx requires outbound and gives our GRUUs,
// and our SUBSCRIBE and MESSAGE through the server carry the public GRUU
// as Contact; the server's NOTIFYs still reach us.
func TestOutboundAndGRUU(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, Outbound: true})
			id := NewInstanceID()
			var trace syncBuffer
			alice, arec := outboundClient(t, srv, "alice", transport, id, WithTrace(&trace))
			arec.wait(t, "registered", isReg(RegRegistered))
			reg := sentRegister.FindString(trace.String())
			for _, want := range []string{"Supported: outbound, gruu", `+sip.instance="<` + id + `>"`, ";reg-id=1", ";rport"} {
				if !strings.Contains(reg, want) {
					t.Errorf("REGISTER lacks %q:\n%s", want, reg)
				}
			}
			f := alice.reg.flow.Load()
			if f == nil || !f.outbound || f.pubGRUU == nil || f.tempGRUU == nil {
				t.Fatalf("flow after 2xx: %+v", f)
			}
			if g, _ := f.pubGRUU.UriParams.Get("gr"); g != id {
				t.Errorf("pub-gruu %s does not name our instance", f.pubGRUU.String())
			}
			_, brec := outboundClient(t, srv, "bob", "udp", NewInstanceID())
			brec.wait(t, "bob registered", isReg(RegRegistered))
			ctx := context.Background()
			if err := alice.Subscribe(ctx, "sip:bob@parley.test"); err != nil {
				t.Fatal(err)
			}
			arec.wait(t, "subscription active: the NOTIFY found us", isSub("sip:bob@parley.test", SubActive))
			if d, err := alice.DeliverMessage(ctx, "sip:bob@parley.test", "from my GRUU"); err != nil || d.Status != MsgSent {
				t.Fatalf("alice -> bob: %+v %v", d, err)
			}
			brec.wait(t, "message", isMessage("from my GRUU"))
			if n := len(gruuContact.FindAllString(trace.String(), -1)); n < 2 {
				t.Fatalf("%d SUBSCRIBE/MESSAGE with the GRUU as Contact, want both:\n%s", n, trace.String())
			}
		})
	}
}

// A server without Outbound and GRUU ignores what we offer: plain
// registration, no GRUU, our address as Contact.
func TestOutboundOfferedToPlainServer(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice, arec := outboundClient(t, srv, "alice", "udp", NewInstanceID())
	arec.wait(t, "registered", isReg(RegRegistered))
	if f := alice.reg.flow.Load(); f == nil || f.outbound || f.pubGRUU != nil {
		t.Fatalf("flow from a plain server: %+v", f)
	}
	if alice.reg.gruu() != nil {
		t.Fatal("GRUU without one given")
	}
}

// Outbound behind a NAT: the NAT drops our mapping mid-session. The next
// STUN keep-alive sees a new mapped address, and we register again at
// once, long before the refresh (Expires 300 s); a MESSAGE to us then
// arrives through the new mapping.
func TestOutboundFlowFailureReregisters(t *testing.T) {
	srv, relay := behindNAT(t, kamailio.Options{Outbound: true})
	id := NewInstanceID()
	alice, arec := natClient(t, srv, relay, "alice", id)
	arec.wait(t, "registered", isReg(RegRegistered))
	if f := alice.reg.flow.Load(); f == nil || !f.outbound {
		t.Fatalf("no outbound flow: %+v", f)
	}
	before := relay.Public(alice.ListenAddrs()[0][len("udp:"):])
	relay.Drop()
	arec.wait(t, "flow failure noticed", isFlowLost)
	arec.wait(t, "registered again", registeredAgain(arec))
	ca := alice.reg.contactAddr()
	after := ca.String()
	if after == before || after != relay.Public(alice.ListenAddrs()[0][len("udp:"):]) {
		t.Fatalf("Contact %s after the NAT moved us from %s", after, before)
	}
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	brec.wait(t, "bob registered", isReg(RegRegistered))
	if d, err := bob.DeliverMessage(context.Background(), "sip:alice@"+srv.Domain(), "after the NAT moved"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> alice: %+v %v", d, err)
	}
	arec.wait(t, "message through the new mapping", isMessage("after the NAT moved"))
}

// Without a GRUU but over an Outbound flow, a SUBSCRIBE's Contact carries
// ;ob; a MESSAGE's and a PUBLISH's do not, nor anything without a flow.
func TestContactObWithoutGRUU(t *testing.T) {
	c := &Client{aor: sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"},
		contact: sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1", Port: 5062}}
	s, err := parseServer(ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:127.0.0.1:5070", InstanceID: NewInstanceID()})
	if err != nil {
		t.Fatal(err)
	}
	c.server = s
	c.reg = newBinding(nil, s, "", c.localAddr(), &options{log: slog.New(slog.DiscardHandler)})
	target := sip.Uri{Scheme: "sip", User: "bob", Host: "parley.test"}
	contact := func(m sip.RequestMethod) string {
		return c.contactFor(sip.NewRequest(m, target), "UDP").Address.String()
	}
	if got := contact(sip.SUBSCRIBE); got != "sip:alice@127.0.0.1:5062" {
		t.Errorf("before a flow: %s", got)
	}
	c.reg.flow.Store(&flow{outbound: true})
	if got := contact(sip.SUBSCRIBE); got != "sip:alice@127.0.0.1:5062;ob" {
		t.Errorf("SUBSCRIBE over a flow: %s", got)
	}
	for _, m := range []sip.RequestMethod{sip.MESSAGE, sip.PUBLISH, sip.REGISTER} {
		if got := contact(m); got != "sip:alice@127.0.0.1:5062" {
			t.Errorf("%s over a flow: %s", m, got)
		}
	}
	g := sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test", UriParams: sip.NewParams()}
	g.UriParams.Add("gr", "urn:uuid:x")
	c.reg.flow.Store(&flow{outbound: true, pubGRUU: &g})
	if got := contact(sip.SUBSCRIBE); got != "sip:alice@parley.test;gr=urn:uuid:x" {
		t.Errorf("SUBSCRIBE with a GRUU: %s", got)
	}
	if got := contact(sip.PUBLISH); got != "sip:alice@127.0.0.1:5062" {
		t.Errorf("PUBLISH with a GRUU: %s", got)
	}
}

// The same NAT drop without Outbound (Parley before, or any server
// without it): the OPTIONS keep-alives are answered through the NAT's new
// mapping, so nothing looks wrong, while the registrar still sends to the
// old one: a MESSAGE to us is not delivered (the server keeps it, 202)
// until the next refresh.
func TestNATDropWithoutOutboundGoesUnnoticed(t *testing.T) {
	srv, relay := behindNAT(t, kamailio.Options{})
	var trace syncBuffer
	alice, arec := natClient(t, srv, relay, "alice", "", WithTrace(&trace))
	arec.wait(t, "registered", isReg(RegRegistered))
	before := relay.Public(alice.ListenAddrs()[0][len("udp:"):])
	relay.Drop()
	mark := len(trace.String())
	for i := 0; strings.Count(trace.String()[mark:], "CSeq: 1 OPTIONS\r\n") < 4; i++ { // two pings, two answers
		if i == 200 {
			t.Fatal("no keep-alive OPTIONS answered after the drop")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after := relay.Public(alice.ListenAddrs()[0][len("udp:"):]); after == before {
		t.Fatalf("the NAT mapped us to %s again", after)
	}
	// The server gives up on the old mapping after its 5 s fr_timer.
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp", WithRequestTimeout(20*time.Second))
	brec.wait(t, "bob registered", isReg(RegRegistered))
	d, err := bob.DeliverMessage(context.Background(), "sip:alice@"+srv.Domain(), "into the old mapping")
	if err != nil || d.Status != MsgStored {
		t.Fatalf("bob -> alice: %+v %v; want stored, the binding being stale", d, err)
	}
	if n := arec.count(isReg(RegRegistering)); n != 1 || arec.count(isMessage("into the old mapping")) != 0 {
		t.Fatalf("the drop was noticed (%d registering events) or the message arrived", n)
	}
}

// Over TCP with Outbound, the server's CRLF pongs keep the flow: two
// pings answered, and no registration but the first.
func TestOutboundTCPPongsKeepFlow(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, Outbound: true, FlowTimer: 1})
	alice, arec := outboundClient(t, srv, "alice", "tcp", NewInstanceID())
	arec.wait(t, "registered", isReg(RegRegistered))
	var pongs []time.Time
	for i := 0; len(pongs) < 2; i++ { // bounded: Flow-Timer 1 s
		if i == 200 {
			t.Fatalf("pongs seen: %v", pongs)
		}
		if p := alice.lastPong(alice.reg.streamConn()); !p.IsZero() && (len(pongs) == 0 || p.After(pongs[len(pongs)-1])) {
			pongs = append(pongs, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := arec.count(isReg(RegRegistering)); n != 1 {
		t.Fatalf("%d registering events: the flow was taken for failed\n%s", n, arec.dump())
	}
}

// Outbound over TCP through a middlebox that silently loses the flow
// (its connection stays open, carrying nothing): the CRLF ping gets no
// pong, the client drops that connection and registers over a new one
// at once, and a MESSAGE to it arrives there.
func TestOutboundTCPSilentFlowLoss(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, Outbound: true, FlowTimer: 1})
	box, err := natrelay.StartTCP(srv.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer box.Close()
	sc := &ServerConfig{AOR: "sip:alice@" + srv.Domain(), Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		OutboundProxy: "sip:" + box.Addr() + ";transport=tcp", Password: kamUsers["alice"], Expires: 300,
		KeepAlive: 30 * time.Second, InstanceID: NewInstanceID()}
	alice, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc},
		WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer alice.Close()
	arec := record(alice)
	arec.wait(t, "registered", isReg(RegRegistered))
	box.Stall()
	arec.wait(t, "flow loss noticed", isFlowLost)
	arec.wait(t, "registered over a new connection", registeredAgain(arec))
	bob, brec := outboundClient(t, srv, "bob", "udp", NewInstanceID())
	brec.wait(t, "bob registered", isReg(RegRegistered))
	if d, err := bob.DeliverMessage(context.Background(), "sip:alice@"+srv.Domain(), "over the new flow"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> alice: %+v %v", d, err)
	}
	arec.wait(t, "message over the new flow", isMessage("over the new flow"))
}

// Outbound over TCP through a middlebox that closes the connection under
// the client, with an RST (a firewall, a crashed server) or a FIN (a server
// that closes it): the loss is noticed at once (RFC 5626 4.4.1), without
// waiting for a keep-alive (none is due: Flow-Timer 30 s, KeepAlive 30
// s), the client registers again over a new connection, and a MESSAGE to
// it arrives there.
func TestOutboundTCPConnectionClosedUnderClient(t *testing.T) {
	for _, cut := range []string{"rst", "fin"} {
		t.Run(cut, func(t *testing.T) {
			srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, Outbound: true, FlowTimer: 30})
			box, err := natrelay.StartTCP(srv.TCPAddr())
			if err != nil {
				t.Fatal(err)
			}
			defer box.Close()
			alice, arec := boxedClient(t, srv, box)
			defer alice.Close()
			arec.wait(t, "registered", isReg(RegRegistered))
			if f := alice.reg.flow.Load(); f == nil || !f.outbound {
				t.Fatalf("no outbound flow: %+v", f)
			}
			cutAt := time.Now()
			if cut == "rst" {
				box.Reset()
			} else {
				box.Hangup()
			}
			arec.wait(t, "connection loss noticed", isFlowLost)
			noticed := time.Since(cutAt)
			arec.wait(t, "registered over a new connection", registeredAgain(arec))
			t.Logf("closed: noticed after %v, registered again after %v (a figure, not asserted)", noticed, time.Since(cutAt))
			if n := box.Accepted(); n < 2 {
				t.Fatalf("%d connections to the server, want a second one after the cut", n)
			}
			bob, brec := outboundClient(t, srv, "bob", "udp", NewInstanceID())
			brec.wait(t, "bob registered", isReg(RegRegistered))
			if d, err := bob.DeliverMessage(context.Background(), "sip:alice@"+srv.Domain(), "over the new connection"); err != nil || d.Status != MsgSent {
				t.Fatalf("bob -> alice: %+v %v", d, err)
			}
			arec.wait(t, "message over the new connection", isMessage("over the new connection"))
		})
	}
}

// boxedClient is alice with Outbound over TCP, through box as outbound
// proxy, with keep-alives rarer than any test waits.
func boxedClient(t *testing.T, srv *kamailio.Server, box *natrelay.TCPRelay) (*Client, *recorder) {
	t.Helper()
	sc := &ServerConfig{AOR: "sip:alice@" + srv.Domain(), Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		OutboundProxy: "sip:" + box.Addr() + ";transport=tcp", Password: kamUsers["alice"], Expires: 300,
		KeepAlive: 30 * time.Second, InstanceID: NewInstanceID()}
	alice, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc},
		WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return alice, record(alice)
}

// Where the registrar saw us prints as a STUN answer's address does, so
// an IPv6 flow is not taken for moved: no brackets in received, IPv6
// compressed, lower case.
func TestViaSeenMatchesSTUNForm(t *testing.T) {
	for via, want := range map[string]string{
		"[::1]:5062;branch=z9hG4bK1;rport=5062;received=::1":                  "[::1]:5062",
		"[::1]:5062;branch=z9hG4bK1;rport=5070;received=[::1]":                "[::1]:5070",
		"[::1]:5062;branch=z9hG4bK1;rport=5062;received=2001:DB8:0:0:0:0:0:7": "[2001:db8::7]:5062",
		"127.0.0.1:5062;branch=z9hG4bK1;rport=40000;received=192.0.2.7":       "192.0.2.7:40000",
	} {
		raw := "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP " + via + "\r\nFrom: <sip:a@parley.test>;tag=1\r\n" +
			"To: <sip:a@parley.test>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n"
		m, err := newParser().ParseSIP([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := viaSeen(m.(*sip.Response)); got != want {
			t.Errorf("Via %s: seen %s, want %s", via, got, want)
		}
	}
}

// isFlowLost matches the registration starting over because its flow
// was lost (RFC 5626: a failed keep-alive or a closed connection).
func isFlowLost(e Event) bool {
	r, ok := e.(RegistrationChanged)
	return ok && r.State == RegRegistering && strings.Contains(r.Reason, "lost")
}

// registeredAgain matches the second registration rec has seen: the one
// after a lost flow. It runs under rec's lock, as wait's matchers do.
func registeredAgain(rec *recorder) func(Event) bool {
	return func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && r.State == RegRegistered && rec.countLocked(isReg(RegRegistered)) >= 2
	}
}
