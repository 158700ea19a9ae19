package kamailio

import (
	"net/http"
	"strings"
	"testing"
)

const resourceListsType = "application/resource-lists+xml"

func resourceLists(entries ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">` + "\n <list name=\"Contacts\">\n")
	for _, e := range entries {
		b.WriteString(`  <entry uri="` + e + `"/>` + "\n")
	}
	b.WriteString(" </list>\n</resource-lists>\n")
	return b.String()
}

// TestXCAPResourceLists: with XCAPLists, a user's resource-lists document
// is stored and served with ETags; If-None-Match: * creates it only once,
// a stale If-Match is 412; another user may not read it.
func TestXCAPResourceLists(t *testing.T) {
	s := Start(t, Options{Users: users, XCAPLists: true})
	docURL := s.XCAPRoot() + "/resource-lists/users/sip:alice@parley.test/index"
	alice := newXCAPClient(t, "alice", users["alice"])

	res := alice.doWith(http.MethodPut, docURL, resourceListsType, resourceLists("sip:bob@parley.test"), map[string]string{"If-None-Match": "*"})
	if res.final.StatusCode != 200 && res.final.StatusCode != 201 {
		t.Fatalf("create with If-None-Match: *: %s", res.final.Status)
	}
	etag := res.final.Header.Get("ETag")
	res = alice.doWith(http.MethodPut, docURL, resourceListsType, resourceLists("sip:carol@parley.test"), map[string]string{"If-None-Match": "*"})
	t.Logf("second create:\n%s", dumpHTTP(res.final, res.body))
	if res.final.StatusCode != 412 {
		t.Errorf("second create with If-None-Match: *: %s, want 412", res.final.Status)
	}
	res = alice.do(http.MethodGet, docURL, "", "", false)
	if res.final.StatusCode != 200 || res.final.Header.Get("ETag") != etag || !strings.Contains(res.body, "sip:bob@parley.test") {
		t.Errorf("GET: %s ETag %q (want %q):\n%s", res.final.Status, res.final.Header.Get("ETag"), etag, res.body)
	}
	res = alice.doWith(http.MethodPut, docURL, resourceListsType, resourceLists("sip:carol@parley.test"), map[string]string{"If-Match": `"stale"`})
	if res.final.StatusCode != 412 {
		t.Errorf("stale If-Match: %s, want 412", res.final.Status)
	}
	if res = newXCAPClient(t, "bob", users["bob"]).do(http.MethodGet, docURL, "", "", false); res.final.StatusCode != 403 {
		t.Errorf("bob reads alice's roster: %s, want 403", res.final.Status)
	}
	services := s.XCAPRoot() + "/rls-services/users/sip:alice@parley.test/index"
	if res = alice.do(http.MethodPut, services, "application/rls-services+xml", `<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists">
 <service uri="sip:alice-buddies@parley.test"><list><rl:entry uri="sip:bob@parley.test"/></list><packages><package>presence</package></packages></service>
</rls-services>
`, false); res.final.StatusCode != 200 {
		t.Errorf("PUT rls-services: %s %s", res.final.Status, res.body)
	}
}
