package sipclient

import (
	"bytes"
	"context"
	"crypto/x509"
	"github.com/parley-im/parley/sipclient/identity"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
)

// digestResponse matches an unredacted digest response (32 or 64 hex).
var digestResponse = regexp.MustCompile(`response="?[0-9a-f]{32}`)

var kamUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}

// syncBuffer is a trace sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serverClient starts user's client registering at srv over transport.
func serverClient(t testing.TB, srv *kamailio.Server, user, password, transport string, opts ...Option) (*Client, *recorder) {
	t.Helper()
	addr := srv.UDPAddr()
	if transport == "tls" {
		addr = srv.TLSAddr()
	}
	sc := &ServerConfig{AOR: "sip:" + user + "@" + srv.Domain(), Registrar: "sip:" + addr + ";transport=" + transport,
		Password: password, Expires: 300, KeepAlive: 500 * time.Millisecond, RootCAs: caPool(t, srv)}
	opts = append([]Option{WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(5 * time.Second),
		WithOutboxBackoff(300 * time.Millisecond)}, opts...)
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: user, Server: sc}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c)
}

func caPool(t testing.TB, srv *kamailio.Server) *x509.CertPool {
	pool, err := srv.CAPool()
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

func isReg(state RegistrationState) func(Event) bool {
	return func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && r.State == state
	}
}

func isPub(state PublicationState) func(Event) bool {
	return func(e Event) bool {
		p, ok := e.(PublicationChanged)
		return ok && p.State == state
	}
}

func TestRegisterAndUnregister(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	trace := &syncBuffer{}
	c, rec := serverClient(t, srv, "alice", kamUsers["alice"], "tcp", WithTrace(trace))
	ev := rec.wait(t, "registered", isReg(RegRegistered)).(RegistrationChanged)
	if ev.Expires != 300 || ev.AOR != "sip:alice@parley.test" {
		t.Errorf("registered: %+v, want 300 s for sip:alice@parley.test", ev)
	}
	rec.wait(t, "published", isPub(PubPublished))
	c.Close()
	rec.wait(t, "unregistered", isReg(RegUnregistered))
	rec.wait(t, "publication removed", isPub(PubRemoved))

	wire := trace.String()
	for _, want := range []string{"REGISTER sip:127.0.0.1", "Authorization: Digest", "Expires: 0", "SIP-If-Match:"} {
		if !strings.Contains(wire, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	// Only our own contact is removed, never "*".
	if strings.Contains(wire, "Contact: *") {
		t.Error("un-REGISTER used Contact: *")
	}
	if strings.Contains(wire, kamUsers["alice"]) || digestResponse.MatchString(wire) {
		t.Error("the trace shows the password or a digest response")
	}
}

func TestWrongPassword(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	_, rec := serverClient(t, srv, "alice", "not-the-password", "udp")
	ev := rec.wait(t, "failed", isReg(RegFailed)).(RegistrationChanged)
	if ev.Code != 401 || !strings.Contains(ev.Reason, "wrong password") || ev.RetryIn < time.Second {
		t.Errorf("failed registration: %+v, want 401, wrong password, a retry later", ev)
	}
}

func TestRegisterSHA256(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, DigestAlgorithm: kamailio.SHA256})
	trace := &syncBuffer{}
	_, rec := serverClient(t, srv, "bob", kamUsers["bob"], "udp", WithTrace(trace))
	rec.wait(t, "registered", isReg(RegRegistered))
	if !strings.Contains(trace.String(), "algorithm=SHA-256") {
		t.Error("no SHA-256 digest answer on the wire")
	}
}

func TestRegisterTLS(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	_, rec := serverClient(t, srv, "alice", kamUsers["alice"], "tls")
	rec.wait(t, "registered over TLS", isReg(RegRegistered))

	// Without the test CA the certificate is refused, and the user is told.
	sc := &ServerConfig{AOR: "sip:bob@parley.test", Registrar: "sip:" + srv.TLSAddr() + ";transport=tls", Password: kamUsers["bob"]}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "bob", Server: sc}, WithRequestTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev := record(c).wait(t, "failed", isReg(RegFailed)).(RegistrationChanged)
	if !strings.Contains(ev.Reason, "certificate") {
		t.Errorf("untrusted server: %q, want a word about the certificate", ev.Reason)
	}
}

// Two accounts see each other's published status and chat through the
// server.
func TestPresenceAndMessagesThroughServer(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice, arec := serverClient(t, srv, "alice", kamUsers["alice"], "tcp")
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	arec.wait(t, "alice registered", isReg(RegRegistered))
	brec.wait(t, "bob registered", isReg(RegRegistered))
	ctx := context.Background()
	if err := bob.Subscribe(ctx, "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "subscription active", isSub("sip:alice@parley.test", SubActive))
	if err := alice.SetPresence(ctx, Presence{Status: StatusAway, Note: "at lunch"}); err != nil {
		t.Fatal(err)
	}
	p := brec.wait(t, "alice away", func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && p.URI == "sip:alice@parley.test" && p.Activity == "away"
	}).(PresenceChanged)
	if p.Note != "at lunch" || p.Basic != BasicOpen {
		t.Errorf("bob sees %+v", p)
	}

	d, err := alice.DeliverMessage(ctx, "sip:bob@parley.test", "hello via the server")
	if err != nil || d.Status != MsgSent {
		t.Fatalf("alice -> bob: %+v %v", d, err)
	}
	m := brec.wait(t, "message", func(e Event) bool { _, ok := e.(MessageReceived); return ok }).(MessageReceived)
	if m.Text != "hello via the server" || m.From != "sip:alice@parley.test" {
		t.Errorf("bob got %+v", m)
	}
	if d, err := bob.DeliverMessage(ctx, "sip:alice@parley.test", "hi back"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> alice: %+v %v", d, err)
	}
	arec.wait(t, "reply", func(e Event) bool { m, ok := e.(MessageReceived); return ok && m.Text == "hi back" })
}

// A MESSAGE to a user who is not registered is stored by the server (202)
// and delivered when they register.
func TestOfflineMessageStoredAndDelivered(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice, arec := serverClient(t, srv, "alice", kamUsers["alice"], "udp")
	arec.wait(t, "registered", isReg(RegRegistered))
	d, err := alice.DeliverMessage(context.Background(), "sip:carol@parley.test", "read this later")
	if err != nil || d.Status != MsgStored || d.Code != 202 {
		t.Fatalf("to offline carol: %+v %v, want stored 202", d, err)
	}
	_, crec := serverClient(t, srv, "carol", kamUsers["carol"], "tcp")
	m := crec.wait(t, "stored message", func(e Event) bool { _, ok := e.(MessageReceived); return ok }).(MessageReceived)
	if m.Text != "read this later" || m.From != "sip:alice@parley.test" {
		t.Errorf("carol got %+v", m)
	}
}

func TestPublishRefusedFallsBackToDirect(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, RefusePublish: true})
	alice, arec := serverClient(t, srv, "alice", kamUsers["alice"], "udp")
	ev := arec.wait(t, "unsupported", isPub(PubUnsupported)).(PublicationChanged)
	if ev.Code != 489 || !strings.Contains(ev.Reason, "directly") {
		t.Errorf("publication: %+v", ev)
	}
	// A peer subscribing directly still sees alice's status.
	peer, prec := newTestClient(t, "peer", "udp")
	direct := "sip:alice@" + alice.listeners[0].String()
	if err := peer.Subscribe(context.Background(), direct); err != nil {
		t.Fatal(err)
	}
	prec.wait(t, "alice open", isPresence(direct, BasicOpen))
	if n := arec.count(isPub(PubPublished)); n != 0 {
		t.Errorf("%d publications after the refusal", n)
	}
}

// restartScene is alice and bob registered over one transport, bob
// watching alice through the server, and then the server stopped.
type restartScene struct {
	srv        *kamailio.Server
	alice, bob *Client
	arec, brec *recorder
}

// stopWhileWatching builds the scene and waits until alice noticed the
// server is gone.
func stopWhileWatching(t *testing.T, transport string, aliceOpts ...Option) restartScene {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	sc := restartScene{srv: srv}
	opts := []Option{WithRequestTimeout(2 * time.Second)}
	sc.alice, sc.arec = serverClient(t, srv, "alice", kamUsers["alice"], transport, append(opts, aliceOpts...)...)
	sc.bob, sc.brec = serverClient(t, srv, "bob", kamUsers["bob"], transport, opts...)
	sc.arec.wait(t, "alice registered", isReg(RegRegistered))
	sc.brec.wait(t, "bob registered", isReg(RegRegistered))
	if err := sc.bob.Subscribe(context.Background(), "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	sc.brec.wait(t, "bob sees alice", isPresence("sip:alice@parley.test", BasicOpen))
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	sc.arec.wait(t, "alice noticed", func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && strings.Contains(r.Reason, "connection to the server lost")
	})
	return sc
}

// resume starts the server again and waits until alice registered again.
func (sc restartScene) resume(t *testing.T) {
	sc.srv.Resume(t)
	start := time.Now()
	n := 0 // wait scans from the first event: the second registration is the one after the restart
	sc.arec.wait(t, "alice registered again", func(e Event) bool {
		if isReg(RegRegistered)(e) {
			n++
		}
		return n >= 2
	})
	t.Logf("re-registered %v after the server came back", time.Since(start).Round(time.Millisecond))
}

// bobSeesNote changes alice's note and waits for bob to see it: his
// subscription through the server came back.
func (sc restartScene) bobSeesNote(t *testing.T, note string) {
	if err := sc.alice.SetPresence(context.Background(), Presence{Status: StatusBusy, Note: note}); err != nil {
		t.Fatal(err)
	}
	sc.brec.wait(t, "alice's note after the restart", func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && p.URI == "sip:alice@parley.test" && p.Note == note
	})
}

// The server goes away and comes back: the client notices the dropped
// connection, registers and subscribes again by itself, and a message
// typed in the gap is delivered, not lost.
func TestServerRestartRecovery(t *testing.T) {
	trace := &syncBuffer{}
	sc := stopWhileWatching(t, "tcp", WithTrace(trace))
	id, err := sc.alice.SendMessage(context.Background(), "sip:bob@parley.test", "sent while the server was down")
	if err != nil {
		t.Fatal(err)
	}
	sc.arec.wait(t, "first attempt failed", func(e Event) bool {
		s, ok := e.(MessageStatus)
		return ok && s.ID == id && s.Status == MsgFailed && !s.RetryAt.IsZero()
	})
	sc.resume(t)
	sc.brec.wait(t, "the gap's message", isMessage("sent while the server was down"))
	// Sent, or stored by the server if bob was not registered again yet
	// (then it reached him from the offline store when he was).
	sc.arec.wait(t, "marked delivered", func(e Event) bool {
		s, ok := e.(MessageStatus)
		return ok && s.ID == id && (s.Status == MsgSent || s.Status == MsgStored)
	})
	sc.bobSeesNote(t, "back")
	// The restarted server forgot alice's document: her first PUBLISH
	// with the old entity tag got 412, and she started over (RFC 3903).
	if !strings.Contains(trace.String(), "SIP/2.0 412") {
		t.Error("no 412 for the forgotten publication on the wire")
	}
}

// Over UDP there is no connection to lose: keepalive OPTIONS notice the
// server is gone, and when it is back the client registers and
// subscribes again by itself.
func TestServerRestartRecoveryUDP(t *testing.T) {
	sc := stopWhileWatching(t, "udp")
	sc.resume(t)
	sc.bobSeesNote(t, "back over UDP")
}

// A registration shorter than the server's minimum is answered 423 with
// Min-Expires, and the client asks again for that.
func TestRegisterIntervalTooBrief(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, MinExpires: 30})
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.UDPAddr(), Password: kamUsers["alice"], Expires: 10}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev := record(c).wait(t, "registered", isReg(RegRegistered)).(RegistrationChanged)
	if ev.Expires != 30 {
		t.Errorf("registered for %d s, want the server's minimum 30", ev.Expires)
	}
}

// Someone who asks the server to watch us is announced as a pending
// watcher, from our presence.winfo subscription.
func TestPendingWatcherThroughServer(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, PresenceAuthorization: true})
	_, arec := serverClient(t, srv, "alice", kamUsers["alice"], "tcp", WithBook(askBook))
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	arec.wait(t, "alice registered", isReg(RegRegistered))
	brec.wait(t, "bob registered", isReg(RegRegistered))
	if err := bob.Subscribe(context.Background(), "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	w := arec.wait(t, "pending watcher", func(e Event) bool { _, ok := e.(WatcherChanged); return ok }).(WatcherChanged)
	if w.URI != "sip:bob@parley.test" || w.State != WatcherPending {
		t.Errorf("watcher event %+v, want bob pending", w)
	}
	if n := arec.count(func(e Event) bool { s, ok := e.(SubscriptionChanged); return ok && strings.HasPrefix(s.URI, "winfo:") }); n != 0 {
		t.Errorf("%d internal winfo subscription events leaked", n)
	}
}

// With an outbound proxy the REGISTER is addressed to the registrar (here
// the bare domain, which has no DNS entry) but sent to the proxy.
func TestOutboundProxy(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	trace := &syncBuffer{}
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:parley.test", OutboundProxy: "sip:" + srv.TCPAddr() + ";transport=tcp",
		Transport: "tcp", Password: kamUsers["alice"]}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(3*time.Second), WithTrace(trace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	record(c).wait(t, "registered", isReg(RegRegistered))
	if !strings.Contains(trace.String(), "REGISTER sip:parley.test SIP/2.0") {
		t.Error("REGISTER not addressed to the registrar's domain")
	}
}

// Registration and publication are refreshed before they expire: the
// REGISTER refresh answers the registrar's challenge up front (one 401 in
// all), and a PUBLISH refresh carries the entity tag and no body.
func TestRefreshesBeforeExpiry(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, MinExpires: 2})
	trace := &syncBuffer{}
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.UDPAddr(), Password: kamUsers["alice"], Expires: 2}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc},
		WithRequestTimeout(3*time.Second), WithPublishExpires(2), WithTrace(trace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := record(c)
	rec.wait(t, "published", isPub(PubPublished))
	time.Sleep(3500 * time.Millisecond) // two refreshes of each at 80% of 2 s
	wire := trace.String()
	if n := strings.Count(wire, "REGISTER sip:"); n < 4 {
		t.Errorf("%d REGISTERs in 3.5 s of 2 s registrations, want at least 4", n)
	}
	if n := strings.Count(wire, "SIP/2.0 401"); n != 1 {
		t.Errorf("%d challenges to REGISTER, want 1: refreshes answer up front", n)
	}
	refresh := regexp.MustCompile(`(?s)PUBLISH sip:alice@parley.test SIP/2.0\r\n.*?SIP-If-Match: \S+.*?Content-Length: 0\r\n`)
	if !refresh.MatchString(wire) {
		t.Error("no PUBLISH refresh with SIP-If-Match and an empty body")
	}
	if n := rec.count(isReg(RegFailed)) + rec.count(isPub(PubFailed)); n != 0 {
		t.Errorf("%d failures while refreshing:%s", n, rec.dump())
	}
}

// With the server holding watchers until the presentity decides, the
// user's answer goes to the server's XCAP service as pres-rules and the
// server lets the watcher in; a watcher the policy already allows (a
// contact) is let in without asking.
func TestWatcherAuthorizedAtServer(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, PresenceAuthorization: true})
	policy := func(who identity.ID) Decision {
		if who.String() == "sip:carol@parley.test" {
			return Allow
		}
		return Ask
	}
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		Password: kamUsers["alice"], XCAPRoot: srv.XCAPRoot()}
	alice, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithBook(funcBook{decide: policy}), WithRequestTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer alice.Close()
	arec := record(alice)
	arec.wait(t, "alice registered", isReg(RegRegistered))
	bob, brec := serverClient(t, srv, "bob", kamUsers["bob"], "udp")
	carol, crec := serverClient(t, srv, "carol", kamUsers["carol"], "udp")
	ctx := context.Background()
	for _, c := range []*Client{bob, carol} {
		if err := c.Subscribe(ctx, "sip:alice@parley.test"); err != nil {
			t.Fatal(err)
		}
	}
	brec.wait(t, "bob pending", isSub("sip:alice@parley.test", SubPending))
	arec.wait(t, "alice asked about bob", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.URI == "sip:bob@parley.test" && w.State == WatcherPending
	})
	crec.wait(t, "carol let in without asking", isPresence("sip:alice@parley.test", BasicOpen))
	if err := alice.AuthorizeWatcher(pid("sip:bob@parley.test"), Allow); err != nil {
		t.Fatal(err)
	}
	brec.wait(t, "bob active", isSub("sip:alice@parley.test", SubActive))
	brec.wait(t, "bob sees alice", isPresence("sip:alice@parley.test", BasicOpen))
	if n := arec.count(func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.URI == "sip:carol@parley.test" && w.State == WatcherPending
	}); n != 0 {
		t.Error("alice was asked about carol, whom her policy allows")
	}
}
