package sipclient

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/presrules"
	"github.com/parley-im/parley/sipclient/xcap"
)

// otherClientRules is a pres-rules document another client of alice's
// wrote, with its own prefixes and rule id.
const otherClientRules = `<?xml version="1.0" encoding="UTF-8"?>
<ruleset xmlns="urn:ietf:params:xml:ns:common-policy" xmlns:p="urn:ietf:params:xml:ns:pres-rules">
 <rule id="other-device"><conditions><identity><one id="sip:dave@parley.test"/></identity></conditions><actions><p:sub-handling>allow</p:sub-handling></actions></rule>
</ruleset>
`

// waitDoc reads the document until ok says it is as wanted, bounded.
func waitDoc(t *testing.T, xc *xcap.Client, url string, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := xc.Get(context.Background(), url)
		if err == nil && ok(string(d.Body)) {
			return string(d.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: document never was as wanted (%v):\n%s", what, err, d.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPresRulesReadModifyWrite: the user's answers reach the server's
// pres-rules as a read-modify-write: another client's rule stays; a
// revoked answer drops Parley's rule for that watcher.
func TestPresRulesReadModifyWrite(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, PresenceAuthorization: true})
	other := xcap.New(srv.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	url := other.URL("pres-rules", "index")
	if _, err := other.Put(context.Background(), url, presrules.ContentType, []byte(otherClientRules), ""); err != nil {
		t.Fatal(err)
	}
	var bobAnswer atomic.Int32 // Decision the book holds for bob
	bobAnswer.Store(int32(Ask))
	book := funcBook{decide: func(who identity.ID) Decision {
		if who.String() == "sip:bob@parley.test" {
			return Decision(bobAnswer.Load())
		}
		return Ask
	}}
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		Password: kamUsers["alice"], XCAPRoot: srv.XCAPRoot()}
	alice, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithBook(book), WithRequestTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer alice.Close()
	record(alice).wait(t, "alice registered", isReg(RegRegistered))

	bobAnswer.Store(int32(Allow))
	if err := alice.AuthorizeWatcher(pid("sip:bob@parley.test"), Allow); err != nil {
		t.Fatal(err)
	}
	doc := waitDoc(t, other, url, "bob allowed", func(s string) bool { return strings.Contains(s, `<cr:one id="sip:bob@parley.test"/>`) })
	if !strings.Contains(doc, `<rule id="other-device"><conditions><identity><one id="sip:dave@parley.test"/>`) {
		t.Errorf("the other client's rule is gone:\n%s", doc)
	}
	// Revoke: the book forgets, then the watcher is ended.
	bobAnswer.Store(int32(Ask))
	if err := alice.EndWatcher(pid("sip:bob@parley.test")); err != nil {
		t.Fatal(err)
	}
	doc = waitDoc(t, other, url, "bob revoked", func(s string) bool { return !strings.Contains(s, "sip:bob@parley.test") })
	if !strings.Contains(doc, `id="other-device"`) {
		t.Errorf("the other client's rule is gone after the revoke:\n%s", doc)
	}
}
