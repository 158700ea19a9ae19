package kamailio

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// presRules is a pres-rules document (RFC 5025, common-policy RFC 4745)
// with one rule for watcher, whose sub-handling is handling ("allow",
// "block", "polite-block" or "confirm").
func presRules(watcher, handling string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns="urn:ietf:params:xml:ns:pres-rules" xmlns:pr="urn:ietf:params:xml:ns:pres-rules" xmlns:cr="urn:ietf:params:xml:ns:common-policy">
 <cr:rule id="parley-` + handling + `">
  <cr:conditions><cr:identity><cr:one id="` + watcher + `"/></cr:identity></cr:conditions>
  <cr:actions><pr:sub-handling>` + handling + `</pr:sub-handling></cr:actions>
  <cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices><pr:provide-all-attributes/></cr:transformations>
 </cr:rule>
</cr:ruleset>
`
}

const authPolicyType = "application/auth-policy+xml"

// xcapClient is an HTTP client with digest credentials (RFC 7616, qop=auth,
// via digestResponse) for the test server's XCAP root.
type xcapClient struct {
	t          testing.TB
	hc         *http.Client
	user, pass string
}

func newXCAPClient(t testing.TB, user, pass string) *xcapClient {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &xcapClient{t: t, hc: &http.Client{Transport: tr, Timeout: waitBound}, user: user, pass: pass}
}

// httpResult is one exchange: the 401 answered, if any, and the final
// response with its body read.
type httpResult struct {
	challenge *http.Response
	final     *http.Response
	body      string
}

func (c *xcapClient) send(method, rawURL, ctype, body, auth string, hdrs map[string]string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body == "" {
		req.Body, req.ContentLength = nil, 0
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range hdrs {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return res, string(b)
}

// do sends the request and answers one 401 digest challenge, unless
// noAuth is set.
func (c *xcapClient) do(method, rawURL, ctype, body string, noAuth bool) httpResult {
	c.t.Helper()
	return c.exchange(method, rawURL, ctype, body, noAuth, nil)
}

// doWith is do with extra request headers.
func (c *xcapClient) doWith(method, rawURL, ctype, body string, hdrs map[string]string) httpResult {
	c.t.Helper()
	return c.exchange(method, rawURL, ctype, body, false, hdrs)
}

func (c *xcapClient) exchange(method, rawURL, ctype, body string, noAuth bool, hdrs map[string]string) httpResult {
	c.t.Helper()
	res, b := c.send(method, rawURL, ctype, body, "", hdrs)
	r := httpResult{final: res, body: b}
	if res.StatusCode != http.StatusUnauthorized || noAuth {
		return r
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		c.t.Fatal(err)
	}
	r.challenge = res
	auth := digestResponse(res.Header.Get("WWW-Authenticate"), method, u.RequestURI(), c.user, c.pass)
	r.final, r.body = c.send(method, rawURL, ctype, body, auth, hdrs)
	return r
}

func dumpHTTP(r *http.Response, body string) string {
	var b strings.Builder
	b.WriteString(r.Proto + " " + r.Status + "\n")
	_ = r.Header.Write(&b)
	b.WriteString("\n" + body)
	return b.String()
}

// notifyUntil reads u's NOTIFYs for the subscription callID until one has a
// Subscription-State starting with state and, if body is not "", a body
// containing it; earlier ones (Kamailio may send a NOTIFY twice after a
// pres-rules change) are logged and skipped.
func notifyUntil(u *ua, callID, state, body string) *sipMsg {
	u.t.Helper()
	for {
		n := u.next("NOTIFY")
		if n.get("Call-ID") != callID {
			continue
		}
		if strings.HasPrefix(n.get("Subscription-State"), state) && strings.Contains(n.body, body) {
			return n
		}
		u.t.Logf("%s: skipping NOTIFY (Subscription-State %q, %d byte body), waiting for %s",
			u.user, n.get("Subscription-State"), len(n.body), state)
	}
}

// quiet fails t if u receives a request within d.
func quiet(t *testing.T, u *ua, d time.Duration) {
	t.Helper()
	select {
	case m := <-u.requests:
		t.Errorf("%s: unexpected request:\n%s", u.user, m)
	case <-time.After(d):
	}
}

// pendingWatcher has u subscribe to alice's presence and wants the first
// NOTIFY to be pending; it returns the subscription's Call-ID.
func pendingWatcher(t *testing.T, u *ua) string {
	t.Helper()
	sub := u.do(call{method: "SUBSCRIBE", ruri: "sip:alice@parley.test",
		headers: []string{"Event: presence", "Accept: application/pidf+xml", "Expires: 300"}})
	if c := sub.final.status(); c != 200 && c != 202 {
		t.Fatalf("%s: SUBSCRIBE: %s", u.user, sub.final.first)
	}
	n := u.next("NOTIFY")
	if n.get("Call-ID") != sub.callID || !strings.HasPrefix(n.get("Subscription-State"), "pending") {
		t.Fatalf("%s: first NOTIFY:\n%s\nwant Subscription-State pending", u.user, n)
	}
	return sub.callID
}

func publishAlice(t *testing.T, alice *ua, note string) {
	t.Helper()
	pub := alice.do(call{method: "PUBLISH", headers: []string{"Event: presence", "Expires: 300"},
		ctype: "application/pidf+xml", body: pidf("alice", "parley.test", "open", note)})
	if pub.final.status() != 200 {
		t.Fatalf("PUBLISH: %s", pub.final.first)
	}
}

// TestXCAPPresRules: a pending watcher becomes active when the presentity
// allows it with an XCAP PUT of her pres-rules document; only she may
// write it; GET returns it with the PUT's ETag.
func TestXCAPPresRules(t *testing.T) {
	s := Start(t, Options{Users: users, PresenceAuthorization: true})
	docURL := s.PresRulesURL("alice")
	t.Logf("XCAP root %s, alice's pres-rules %s", s.XCAPRoot(), docURL)
	if want := "http://" + s.TCPAddr() + "/xcap-root/pres-rules/users/sip:alice@parley.test/index"; docURL != want {
		t.Errorf("PresRulesURL = %s, want %s", docURL, want)
	}
	allowBob := presRules("sip:bob@parley.test", "allow")

	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	bob := newUA(t, s, "tcp", "bob", users["bob"], deadPort(t))
	publishAlice(t, alice, "behind rules")
	callID := pendingWatcher(t, bob)

	// No credentials: a digest challenge for the SIP realm.
	aliceHTTP := newXCAPClient(t, "alice", users["alice"])
	res := aliceHTTP.do(http.MethodPut, docURL, authPolicyType, allowBob, true)
	t.Logf("PUT without credentials:\n%s", dumpHTTP(res.final, res.body))
	www := res.final.Header.Get("WWW-Authenticate")
	if p := challengeParams(www); res.final.StatusCode != 401 || p["realm"] != "parley.test" || p["qop"] != "auth" {
		t.Errorf("PUT without credentials: %s %q, want 401 with a challenge for parley.test", res.final.Status, www)
	}
	// A wrong password: challenged again.
	res = newXCAPClient(t, "alice", "not-the-password").do(http.MethodPut, docURL, authPolicyType, allowBob, false)
	if res.final.StatusCode != 401 {
		t.Errorf("PUT with a wrong password: %s, want 401", res.final.Status)
	}
	// bob's (valid) credentials on alice's document: 403.
	bobHTTP := newXCAPClient(t, "bob", users["bob"])
	res = bobHTTP.do(http.MethodPut, docURL, authPolicyType, allowBob, false)
	if res.final.StatusCode != 403 {
		t.Errorf("bob PUTs alice's document: %s, want 403", res.final.Status)
	}
	if res = bobHTTP.do(http.MethodGet, docURL, "", "", false); res.final.StatusCode != 403 {
		t.Errorf("bob GETs alice's document: %s, want 403", res.final.Status)
	}
	quiet(t, bob, 300*time.Millisecond) // still pending, nothing changed

	// alice allows bob: 401, then 200 with an ETag, then bob is active and
	// gets her published state.
	res = aliceHTTP.do(http.MethodPut, docURL, authPolicyType, allowBob, false)
	put := time.Now()
	if res.challenge == nil || res.challenge.StatusCode != 401 || res.final.StatusCode != 200 {
		t.Fatalf("PUT: challenged %v, then %s, want 401 then 200", res.challenge != nil, res.final.Status)
	}
	t.Logf("PUT: %s then\n%s", res.challenge.Status, dumpHTTP(res.final, res.body))
	etag := res.final.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Errorf("PUT: ETag %q, want a quoted entity tag", etag)
	}
	n := notifyUntil(bob, callID, "active", "behind rules")
	t.Logf("NOTIFY %v after the 200:\n%s", time.Since(put), n)

	// GET: the document as stored, with the same ETag.
	res = aliceHTTP.do(http.MethodGet, docURL, "", "", false)
	t.Logf("GET:\n%s", dumpHTTP(res.final, res.body))
	if res.final.StatusCode != 200 || res.body != allowBob || res.final.Header.Get("ETag") != etag ||
		res.final.Header.Get("Content-Type") != authPolicyType {
		t.Errorf("GET: %s, Content-Type %q, ETag %q: want 200, %s, the PUT document and ETag %s",
			res.final.Status, res.final.Header.Get("Content-Type"), res.final.Header.Get("ETag"), authPolicyType, etag)
	}

	// RFC 4825 conditional PUT: a stale If-Match is 412, the current ETag
	// passes and yields a new one.
	res = aliceHTTP.doWith(http.MethodPut, docURL, authPolicyType, allowBob, map[string]string{"If-Match": `"stale"`})
	if res.final.StatusCode != 412 {
		t.Errorf("PUT with a stale If-Match: %s, want 412", res.final.Status)
	}
	res = aliceHTTP.doWith(http.MethodPut, docURL, authPolicyType, allowBob, map[string]string{"If-Match": etag})
	if res.final.StatusCode != 200 || res.final.Header.Get("ETag") == etag {
		t.Errorf("PUT with If-Match %s: %s, ETag %q; want 200 and a new ETag", etag, res.final.Status, res.final.Header.Get("ETag"))
	}

	// Outside the pres-rules usage: 404; other methods: 405.
	for _, u := range []string{"http://" + s.TCPAddr() + "/elsewhere", s.XCAPRoot() + "/resource-lists/users/sip:alice@parley.test/index"} {
		if res = aliceHTTP.do(http.MethodGet, u, "", "", false); res.final.StatusCode != 404 {
			t.Errorf("GET %s: %s, want 404", u, res.final.Status)
		}
	}
	if res = aliceHTTP.do(http.MethodPost, docURL, authPolicyType, allowBob, false); res.final.StatusCode != 405 {
		t.Errorf("POST: %s, want 405", res.final.Status)
	}

	// DELETE, then the document is gone. Kamailio does not re-evaluate
	// watchers without a document: bob stays active (the refresh re-sends
	// alice's state to him); only new subscriptions are pending again.
	if res = aliceHTTP.do(http.MethodDelete, docURL, "", "", false); res.final.StatusCode != 200 {
		t.Errorf("DELETE: %s, want 200", res.final.Status)
	}
	notifyUntil(bob, callID, "active", "behind rules")
	if res = aliceHTTP.do(http.MethodGet, docURL, "", "", false); res.final.StatusCode != 404 {
		t.Errorf("GET after DELETE: %s, want 404", res.final.Status)
	}
}

// TestXCAPBlock: "block" terminates a watcher (pending or active) and
// keeps refusing him; "polite-block" makes him active but shows him
// nothing of the published state; "confirm" puts him back to pending.
func TestXCAPBlock(t *testing.T) {
	s := Start(t, Options{Users: users, PresenceAuthorization: true})
	docURL := s.PresRulesURL("alice")
	alice := newUA(t, s, "udp", "alice", users["alice"], 0)
	bob := newUA(t, s, "udp", "bob", users["bob"], 0)
	carol := newUA(t, s, "tcp", "carol", users["carol"], deadPort(t))
	publishAlice(t, alice, "private note")
	bobCall := pendingWatcher(t, bob)
	carolCall := pendingWatcher(t, carol)
	aliceHTTP := newXCAPClient(t, "alice", users["alice"])
	put := func(doc string) {
		t.Helper()
		if res := aliceHTTP.do(http.MethodPut, docURL, authPolicyType, doc, false); res.final.StatusCode != 200 {
			t.Fatalf("PUT: %s", res.final.Status)
		}
	}

	// One document, two rules: bob blocked, carol polite-blocked.
	put(strings.Replace(presRules("sip:bob@parley.test", "block"), "</cr:ruleset>",
		presRuleOnly("sip:carol@parley.test", "polite-block")+"</cr:ruleset>", 1))
	n := notifyUntil(bob, bobCall, "terminated", "")
	t.Logf("bob, blocked:\n%s", n)
	if param(n.get("Subscription-State"), "reason") != "rejected" {
		t.Errorf("blocked: Subscription-State %q, want reason=rejected", n.get("Subscription-State"))
	}
	n = notifyUntil(carol, carolCall, "active", "")
	t.Logf("carol, polite-blocked:\n%s", n)
	if strings.Contains(n.body, "private note") {
		t.Errorf("polite-blocked watcher sees the published state:\n%s", n.body)
	}

	// A new subscription from bob is accepted and terminated at once.
	again := bob.do(call{method: "SUBSCRIBE", ruri: "sip:alice@parley.test", headers: []string{"Event: presence", "Expires: 300"}})
	t.Logf("bob subscribes again: %s", again.final.first)
	n = notifyUntil(bob, again.callID, "terminated", "")
	if param(n.get("Subscription-State"), "reason") != "rejected" {
		t.Errorf("blocked again: Subscription-State %q, want reason=rejected", n.get("Subscription-State"))
	}

	// "confirm": carol is pending again.
	put(presRules("sip:carol@parley.test", "confirm"))
	notifyUntil(carol, carolCall, "pending", "")
}

// presRuleOnly is the <cr:rule> element of presRules.
func presRuleOnly(watcher, handling string) string {
	doc := presRules(watcher, handling)
	return doc[strings.Index(doc, " <cr:rule "):strings.Index(doc, "</cr:ruleset>")]
}
