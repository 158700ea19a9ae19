package kamailio

import (
	"fmt"
	"strings"
	"testing"
)

var users = map[string]string{"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}

// deadPort is a port nobody listens on: a contact there is unreachable,
// so a request that arrives anyway came over the client's connection.
func deadPort(t *testing.T) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pidf(user, domain, basic, note string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:` + user + `@` + domain + `">
  <tuple id="t1"><status><basic>` + basic + `</basic></status></tuple>
  <note>` + note + `</note>
</presence>`
}

func TestRegisterMD5(t *testing.T) {
	s := Start(t, Options{Users: users})
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)

	res := alice.register(120)
	www := res.challenge.get("WWW-Authenticate")
	t.Logf("401: %s", www)
	p := challengeParams(www)
	if res.challenge.status() != 401 || p["realm"] != "parley.test" || p["qop"] != "auth" || p["algorithm"] != "MD5" {
		t.Errorf("challenge = %d %q", res.challenge.status(), www)
	}
	contact := res.final.get("Contact")
	t.Logf("200 Contact: %s", contact)
	if !strings.Contains(contact, alice.contact) || param(contact, "expires") != "120" {
		t.Errorf("200 Contact = %q, want %s;expires=120", contact, alice.contact)
	}

	wrong := alice.do(call{method: "REGISTER", ruri: "sip:parley.test", to: "sip:alice@parley.test",
		headers: []string{"Expires: 60"}, pass: "not-the-password"})
	t.Logf("wrong password: %s", wrong.final.first)
	if c := wrong.final.status(); c != 401 && c != 403 {
		t.Errorf("wrong password: %s, want 401 or 403", wrong.final.first)
	}

	// bob's credentials registering alice's AOR: auth user must be To user.
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	other := bob.do(call{method: "REGISTER", ruri: "sip:parley.test", to: "sip:alice@parley.test"})
	if other.final.status() != 403 {
		t.Errorf("REGISTER for someone else: %s, want 403", other.final.first)
	}
}

func TestRegisterSHA256(t *testing.T) {
	s := Start(t, Options{Users: users, DigestAlgorithm: SHA256})
	alice := newUA(t, s, "tcp", "alice", users["alice"], 0)
	res := alice.register(60)
	www := res.challenge.get("WWW-Authenticate")
	t.Logf("401: %s", www)
	if p := challengeParams(www); p["algorithm"] != "SHA-256" || p["qop"] != "auth" {
		t.Errorf("challenge %q, want algorithm=SHA-256 and qop=auth", www)
	}
	if len(res.challenge.all("WWW-Authenticate")) != 1 {
		t.Errorf("want one challenge, got %q", res.challenge.all("WWW-Authenticate"))
	}

	// An MD5 answer to a SHA-256 challenge must not pass.
	md5 := alice.do(call{method: "REGISTER", ruri: "sip:parley.test", to: "sip:alice@parley.test", noAuth: true})
	ch := md5.final.get("WWW-Authenticate")
	auth := digestResponse(strings.Replace(ch, "algorithm=SHA-256", "algorithm=MD5", 1), "REGISTER", "sip:parley.test", "alice", users["alice"])
	bad := alice.transact(call{method: "REGISTER", ruri: "sip:parley.test", to: "sip:alice@parley.test",
		callID: md5.callID, cseq: 2}, md5.fromTag, "Authorization: "+auth)
	t.Logf("MD5 answer to SHA-256 challenge: %s", bad.first)
	if bad.status() == 200 {
		t.Error("MD5 response accepted by a SHA-256 server")
	}
}

func TestPresence(t *testing.T) {
	s := Start(t, Options{Users: users})
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	bob := newUA(t, s, "tcp", "bob", users["bob"], deadPort(t))

	sub := bob.do(call{method: "SUBSCRIBE", ruri: "sip:alice@parley.test",
		headers: []string{"Event: presence", "Accept: application/pidf+xml", "Expires: 300"}})
	t.Logf("SUBSCRIBE: challenge %s, final:\n%s", sub.challenge.first, sub.final)
	if c := sub.final.status(); c != 200 && c != 202 {
		t.Fatalf("SUBSCRIBE: %s", sub.final.first)
	}
	first := bob.next("NOTIFY")
	t.Logf("first NOTIFY:\n%s", first)
	if first.get("Call-ID") != sub.callID || first.body != "" {
		t.Errorf("first NOTIFY: Call-ID %q body %q, want %q and empty", first.get("Call-ID"), first.body, sub.callID)
	}

	pub := alice.do(call{method: "PUBLISH", headers: []string{"Event: presence", "Expires: 300"},
		ctype: "application/pidf+xml", body: pidf("alice", "parley.test", "open", "at lunch")})
	t.Logf("PUBLISH:\n%s", pub.final)
	if pub.final.status() != 200 || pub.final.get("SIP-ETag") == "" {
		t.Fatalf("PUBLISH: %s", pub.final)
	}
	n := bob.next("NOTIFY")
	t.Logf("NOTIFY after PUBLISH:\n%s", n)
	if !strings.Contains(n.body, "<basic>open</basic>") || !strings.Contains(n.body, "at lunch") ||
		n.get("Event") != "presence" || !strings.HasPrefix(n.get("Subscription-State"), "active") ||
		n.get("Content-Type") != "application/pidf+xml" {
		t.Errorf("NOTIFY after PUBLISH lacks the published state:\n%s", n)
	}

	// A PUBLISH for someone else's address is refused.
	forged := bob.do(call{method: "PUBLISH", ruri: "sip:alice@parley.test", headers: []string{"Event: presence"},
		ctype: "application/pidf+xml", body: pidf("alice", "parley.test", "closed", "")})
	if forged.final.status() != 403 {
		t.Errorf("PUBLISH to another user's address: %s, want 403", forged.final.first)
	}
}

func TestPresenceAuthorization(t *testing.T) {
	s := Start(t, Options{Users: users, PresenceAuthorization: true})
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)

	winfo := alice.do(call{method: "SUBSCRIBE", headers: []string{"Event: presence.winfo",
		"Accept: application/watcherinfo+xml", "Expires: 300"}})
	if c := winfo.final.status(); c != 200 && c != 202 {
		t.Fatalf("SUBSCRIBE presence.winfo: %s", winfo.final.first)
	}
	t.Logf("first winfo NOTIFY:\n%s", alice.next("NOTIFY"))

	sub := bob.do(call{method: "SUBSCRIBE", ruri: "sip:alice@parley.test", headers: []string{"Event: presence", "Expires: 300"}})
	t.Logf("SUBSCRIBE: %s", sub.final.first)
	n := bob.next("NOTIFY")
	t.Logf("watcher NOTIFY:\n%s", n)
	if !strings.HasPrefix(n.get("Subscription-State"), "pending") {
		t.Errorf("Subscription-State %q, want pending", n.get("Subscription-State"))
	}
	w := alice.next("NOTIFY")
	t.Logf("winfo NOTIFY:\n%s", w)
	if !strings.Contains(w.body, "sip:bob@parley.test") || !strings.Contains(w.body, `status="pending"`) {
		t.Errorf("watcherinfo lacks pending bob:\n%s", w.body)
	}
}

func TestMessageRelay(t *testing.T) {
	s := Start(t, Options{Users: users})
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	carol := newUA(t, s, "tcp", "carol", users["carol"], deadPort(t))
	bob.register(300)
	carol.register(300)

	for _, to := range []*ua{bob, carol} {
		text := fmt.Sprintf("hello %s over %s", to.user, to.network)
		res := alice.do(call{method: "MESSAGE", ruri: "sip:" + to.user + "@parley.test", ctype: "text/plain", body: text})
		t.Logf("MESSAGE to %s: %s (%s), final %s", to.user, res.challenge.first,
			res.challenge.get("Proxy-Authenticate"), res.final.first)
		if res.challenge.status() != 407 || res.final.status() != 200 {
			t.Errorf("MESSAGE to %s: %s then %s, want 407 then 200", to.user, res.challenge.first, res.final.first)
		}
		m := to.next("MESSAGE")
		t.Logf("%s got:\n%s", to.user, m)
		if m.body != text || !strings.Contains(m.get("From"), "sip:alice@parley.test") || m.get("Proxy-Authorization") != "" {
			t.Errorf("%s got %q from %q", to.user, m.body, m.get("From"))
		}
	}
}

func TestOfflineMessage(t *testing.T) {
	s := Start(t, Options{Users: users})
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)

	res := alice.do(call{method: "MESSAGE", ruri: "sip:bob@parley.test", ctype: "text/plain", body: "while you were out"})
	t.Logf("MESSAGE to offline bob: %s", res.final)
	if res.final.status() != 202 {
		t.Fatalf("MESSAGE to offline bob: %s, want 202", res.final.first)
	}
	nobody := alice.do(call{method: "MESSAGE", ruri: "sip:nobody@parley.test", ctype: "text/plain", body: "?"})
	if nobody.final.status() != 404 {
		t.Errorf("MESSAGE to unknown user: %s, want 404", nobody.final.first)
	}

	bob := newUA(t, s, "tcp", "bob", users["bob"], deadPort(t))
	bob.register(300)
	m := bob.next("MESSAGE")
	t.Logf("dumped to bob:\n%s", m)
	if m.body != "while you were out" || !strings.Contains(m.get("From"), "sip:alice@parley.test") {
		t.Errorf("stored message: body %q From %q", m.body, m.get("From"))
	}
}

func TestTLS(t *testing.T) {
	s := Start(t, Options{Users: users})
	alice := newUA(t, s, "tls", "alice", users["alice"], 0)
	opt := alice.do(call{method: "OPTIONS", ruri: "sip:" + s.TLSAddr(), to: "sip:" + s.TLSAddr()})
	if opt.final.status() != 200 {
		t.Fatalf("OPTIONS over TLS: %s", opt.final.first)
	}
	alice.register(60)
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	bob.do(call{method: "MESSAGE", ruri: "sip:alice@parley.test", ctype: "text/plain", body: "over tls"})
	if m := alice.next("MESSAGE"); m.body != "over tls" {
		t.Errorf("MESSAGE over TLS: %q", m.body)
	}
}

func TestRestart(t *testing.T) {
	s := Start(t, Options{Users: users})
	udp, tls, pid := s.UDPAddr(), s.TLSAddr(), s.PID()
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	bob.register(300)

	s.Restart(t)
	if s.UDPAddr() != udp || s.TLSAddr() != tls || s.PID() == pid || s.PID() == 0 {
		t.Fatalf("after restart: %s %s pid %d, before %s %s pid %d", s.UDPAddr(), s.TLSAddr(), s.PID(), udp, tls, pid)
	}
	// Bindings were in memory: bob is offline until he registers again.
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	res := alice.do(call{method: "MESSAGE", ruri: "sip:bob@parley.test", ctype: "text/plain", body: "after restart"})
	if res.final.status() != 202 {
		t.Errorf("MESSAGE after restart: %s, want 202 (stored)", res.final.first)
	}
	bob.register(300)
	if m := bob.next("MESSAGE"); m.body != "after restart" {
		t.Errorf("dump after restart: %q", m.body)
	}
}

func TestRestartKeepsPersistedRegistrations(t *testing.T) {
	s := Start(t, Options{Users: users, PersistRegistrations: true})
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	bob.register(300)
	s.Restart(t)
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	res := alice.do(call{method: "MESSAGE", ruri: "sip:bob@parley.test", ctype: "text/plain", body: "still there"})
	if res.final.status() != 200 {
		t.Fatalf("MESSAGE after restart: %s, want 200 (binding kept in SQLite)", res.final.first)
	}
	if m := bob.next("MESSAGE"); m.body != "still there" {
		t.Errorf("relayed after restart: %q", m.body)
	}
}

// fatalRecorder is a testing.TB whose Fatalf only records.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper()                           {}
func (f *fatalRecorder) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }

func TestRequireFailsWithoutKamailio(t *testing.T) {
	Require(t) // installed here: passes
	o := Options{Binary: "no-such-kamailio-binary"}
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	rec := &fatalRecorder{TB: t}
	require(rec, &o)
	if !strings.Contains(rec.msg, "no-such-kamailio-binary") || !strings.Contains(rec.msg, "scripts/test.sh") ||
		!strings.Contains(rec.msg, "kamailio-presence-modules") {
		t.Errorf("require message = %q", rec.msg)
	}
}
