package sipclient

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestAddressLWS(t *testing.T) {
	cases := map[string]string{
		`"J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8`: `"J Rosenberg \\\""       <sip:jdrosen@example.com>;tag=98asjd8`,
		`sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n`:         `sip:vivekg@chair-dnrc.example.com;tag=1918181833n`,
		`"a ; b = c" <sip:x@y> ;q = 0.5`:                                     `"a ; b = c" <sip:x@y>;q=0.5`,
		`Watson, Thomas < sip:t.watson@example.org >`:                        `Watson, Thomas < sip:t.watson@example.org >`,
		`<sip:a@b>;tag=1`: `<sip:a@b>;tag=1`,
	}
	for in, want := range cases {
		if got := addressLWS(in); got != want {
			t.Errorf("addressLWS(%q) = %q, want %q", in, got, want)
		}
	}
}

// RFC 4475 3.1.1.1: the tags and the To host come out clean.
func TestParserWsinvAddresses(t *testing.T) {
	req := parse(t, string(tortureMessage(t, "wsinv"))).(*sip.Request)
	if tagOf(req.From().Params) != "98asjd8" || tagOf(req.To().Params) != "1918181833n" || req.To().Address.Host != "chair-dnrc.example.com" {
		t.Errorf("From %q To %q", req.From().Value(), req.To().Value())
	}
	if req.From().DisplayName != `J Rosenberg \\\"` {
		t.Errorf("display name %q", req.From().DisplayName)
	}
	c := req.Contact()
	if q, _ := c.Params.Get("q"); q != "0.33" || !c.Params.Has("newparam") || !c.Params.Has("secondparam") {
		t.Errorf("Contact params %v", c.Params)
	}
}

func TestParserContactList(t *testing.T) {
	raw := "REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: \"x, \\\" y\" <sip:one@h> ; q = 0.1 , <sip:two@h>;expires = 60\r\nContent-Length: 0\r\n\r\n"
	cs := parse(t, raw).(*sip.Request).GetHeaders("Contact")
	if len(cs) != 2 {
		t.Fatalf("%d contacts: %v", len(cs), cs)
	}
	one, two := cs[0].(*sip.ContactHeader), cs[1].(*sip.ContactHeader)
	if q, _ := one.Params.Get("q"); one.Address.User != "one" || q != "0.1" {
		t.Errorf("first contact %q", one.Value())
	}
	if e, _ := two.Params.Get("expires"); two.Address.User != "two" || e != "60" {
		t.Errorf("second contact %q", two.Value())
	}
}

// A GRUU parameter (RFC 5627 3.2) is quoted and holds ';': it comes out
// whole, beside the other parameters.
func TestContactQuotedParamsKept(t *testing.T) {
	raw := "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKx\r\nFrom: <sip:alice@parley.test>;tag=a\r\n" +
		"To: <sip:alice@parley.test>;tag=b\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n" +
		`Contact: <sip:alice@127.0.0.1:5062>;expires=300;pub-gruu="sip:alice@parley.test;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";temp-gruu="sip:uid-1a@parley.test;gr";+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1, <sip:alice@127.0.0.1:5064>;expires=60` + "\r\n" +
		"Content-Length: 0\r\n\r\n"
	m := parse(t, raw)
	hs := m.GetHeaders("Contact")
	if len(hs) != 2 {
		t.Fatalf("%d Contact values", len(hs))
	}
	ct := hs[0].(*sip.ContactHeader)
	want := map[string]string{"expires": "300", "pub-gruu": `"sip:alice@parley.test;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`,
		"temp-gruu": `"sip:uid-1a@parley.test;gr"`, "+sip.instance": `"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"`, "reg-id": "1"}
	for k, v := range want {
		if got, _ := ct.Params.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got, _ := hs[1].(*sip.ContactHeader).Params.Get("expires"); got != "60" {
		t.Errorf("second contact expires %q", got)
	}
}
