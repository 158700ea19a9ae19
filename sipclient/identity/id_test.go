package identity

import (
	"encoding/json"
	"testing"
)

// The spellings the issue found four canonical forms disagreeing on, and
// the pairs that must stay different people.
func TestSameAndDifferentPeople(t *testing.T) {
	same := [][2]string{
		{"sip:bob@x.org:5060", "sip:bob@x.org"},
		{"sips:bob@x.org", "sip:bob@x.org"},
		{"sip:bob@X.org;transport=tcp", "sip:bob@x.org"},
		{"sip:%62ob@x.org", "sip:bob@x.org"},
		{"sip:bob@[2001:DB8:0::1]", "sip:bob@[2001:db8::1]"},
		{`"Bob" <sip:bob@EXAMPLE.test:5060;transport=tcp>;tag=9`, "sip:bob@example.test"},
		{"sips:bob@x.org:5061", "sip:bob@x.org:5060"},
	}
	for _, p := range same {
		a, errA := Parse(p[0])
		b, errB := Parse(p[1])
		if errA != nil || errB != nil || a != b {
			t.Errorf("%q and %q: %v (%v), %v (%v); want one identity", p[0], p[1], a, errA, b, errB)
		}
	}
	different := [][2]string{
		{"sip:Bob@x.org", "sip:bob@x.org"},                   // the user part has case
		{"sip:bob@127.0.0.1:5062", "sip:bob@127.0.0.1:5064"}, // two Parleys on one host
		{"sip:bob@x.org:5061", "sip:bob@x.org"},              // 5061 is not sip's default
		{"sip:bob@x.org", "sip:bob@y.org"},
		{"sip:bob@x.org", "sip:x.org"},
		{"sip:alice%3Bx@x.org", "sip:alice;x@x.org"}, // an escaped ';' is not a parameter
	}
	for _, p := range different {
		a, errA := Parse(p[0])
		b, errB := Parse(p[1])
		if errA != nil || errB != nil || a == b {
			t.Errorf("%q and %q: %v (%v), %v (%v); want two identities", p[0], p[1], a, errA, b, errB)
		}
	}
}

func TestParts(t *testing.T) {
	id, _ := Parse("<sips:Bob@Example.TEST:5070;transport=tls>")
	if id.User() != "Bob" || id.HostPort() != "example.test:5070" || id.String() != "sip:Bob@example.test:5070" {
		t.Errorf("parts of %v: %q %q", id, id.User(), id.HostPort())
	}
	host, _ := Parse("sip:[::1]")
	if host.User() != "" || host.HostPort() != "[::1]" {
		t.Errorf("parts of %v: %q %q", host, host.User(), host.HostPort())
	}
	if !(ID{}).IsZero() || id.IsZero() {
		t.Error("IsZero")
	}
}

// IDs travel in files as text, in any spelling Parse takes, and are read
// back as the same identity: this is what lets old files load.
func TestJSON(t *testing.T) {
	in := []byte(`{"who":"sip:BOB@X.ORG:5060","by":{"sips:carol@y.org":1}}`)
	var v struct {
		Who ID
		By  map[ID]int
	}
	if err := json.Unmarshal(in, &v); err != nil {
		t.Fatal(err)
	}
	carol, _ := Parse("sip:carol@y.org")
	if v.Who.String() != "sip:BOB@x.org" || v.By[carol] != 1 {
		t.Fatalf("decoded %+v", v)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"Who":"sip:BOB@x.org","By":{"sip:carol@y.org":1}}` {
		t.Errorf("encoded %s", out)
	}
	if err := json.Unmarshal([]byte(`{"who":"tel:123"}`), &v); err == nil {
		t.Error("tel: decoded as an identity")
	}
}
