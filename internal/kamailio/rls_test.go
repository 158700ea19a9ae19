package kamailio

import (
	"net/http"
	"strings"
	"testing"
)

// rlsServices is alice's rls-services document: one service URI whose
// inline list names the resources.
func rlsServices(service string, resources ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists">
 <service uri="` + service + `">
  <list>
`)
	for _, r := range resources {
		b.WriteString(`   <rl:entry uri="` + r + `"/>` + "\n")
	}
	b.WriteString("  </list>\n  <packages><package>presence</package></packages>\n </service>\n</rls-services>\n")
	return b.String()
}

// TestRLS: with RLS, alice's SUBSCRIBE with Supported: eventlist to the
// service URI of her rls-services document is answered 200 with Require:
// eventlist, and a multipart/related NOTIFY carries RLMI and bob's
// published state; a URI that is no list goes on to presence (no
// Require: eventlist).
func TestRLS(t *testing.T) {
	s := Start(t, Options{Users: users, RLS: true})
	aliceHTTP := newXCAPClient(t, "alice", users["alice"])
	url := s.XCAPRoot() + "/rls-services/users/sip:alice@parley.test/index"
	if res := aliceHTTP.do(http.MethodPut, url, "application/rls-services+xml",
		rlsServices("sip:alice-buddies@parley.test", "sip:bob@parley.test", "sip:carol@parley.test"), false); res.final.StatusCode != 200 {
		t.Fatalf("PUT rls-services: %s", res.final.Status)
	}
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	pub := bob.do(call{method: "PUBLISH", headers: []string{"Event: presence", "Expires: 300"},
		ctype: "application/pidf+xml", body: pidf("bob", "parley.test", "open", "in the list")})
	if pub.final.status() != 200 {
		t.Fatalf("PUBLISH: %s", pub.final.first)
	}

	alice := newUA(t, s, "tcp", "alice", users["alice"], 0)
	sub := alice.do(call{method: "SUBSCRIBE", ruri: "sip:alice-buddies@parley.test",
		headers: []string{"Event: presence", "Supported: eventlist", "Accept: application/pidf+xml, application/rlmi+xml, multipart/related", "Expires: 300"}})
	t.Logf("list SUBSCRIBE answered:\n%s", sub.final)
	if sub.final.status() != 200 || !strings.Contains(sub.final.get("Require"), "eventlist") {
		t.Fatalf("list SUBSCRIBE: %s, Require %q; want 200 with Require: eventlist", sub.final.first, sub.final.get("Require"))
	}
	for {
		n := alice.next("NOTIFY")
		t.Logf("NOTIFY:\n%s", n)
		if n.get("Call-ID") != sub.callID {
			continue
		}
		if !strings.HasPrefix(n.get("Content-Type"), "multipart/related") || !strings.Contains(n.body, "application/rlmi+xml") {
			t.Fatalf("list NOTIFY is not multipart/related with RLMI:\n%s", n)
		}
		if strings.Contains(n.body, "in the list") {
			break
		}
	}

	// Not a list: presence answers (202, no Require: eventlist).
	other := alice.do(call{method: "SUBSCRIBE", ruri: "sip:carol@parley.test",
		headers: []string{"Event: presence", "Supported: eventlist", "Expires: 300"}})
	if c := other.final.status(); (c != 200 && c != 202) || strings.Contains(other.final.get("Require"), "eventlist") {
		t.Errorf("SUBSCRIBE to a contact: %s, Require %q", other.final.first, other.final.get("Require"))
	}
}
