package rlmi

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// readMIME splits a golden file: its first line is the Content-Type
// header, then a blank line, then the body.
func readMIME(t testing.TB, name string) (string, []byte) {
	t.Helper()
	b := golden.Read(t, name)
	head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(head, []byte("Content-Type: ")) {
		t.Fatalf("%s: no Content-Type line", name)
	}
	return string(bytes.TrimPrefix(head, []byte("Content-Type: "))), body
}

func decodeFile(t *testing.T, name string) *Notification {
	t.Helper()
	ct, body := readMIME(t, name)
	n, err := Decode(ct, body)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// TestRFC4662Full: the full-state example: two resources with active
// instances and their PIDF, one resource with no instance yet, a nested
// list; names in two languages.
func TestRFC4662Full(t *testing.T) {
	n := decodeFile(t, "rfc4662-full.mime")
	if n.URI != "sip:adam-friends@pres.vancouver.example.com" || n.Version != 1 || !n.FullState || len(n.Names) != 2 {
		t.Fatalf("list: %+v", n)
	}
	if len(n.Resources) != 4 {
		t.Fatalf("%d resources", len(n.Resources))
	}
	bob := n.Resources[0]
	if bob.URI != "sip:bob@vancouver.example.com" || bob.Name != "Bob Smith" || len(bob.Instances) != 1 {
		t.Fatalf("bob: %+v", bob)
	}
	in := bob.Instances[0]
	if in.State != StateActive || in.Part == nil || !strings.HasPrefix(in.Part.ContentType, "application/pidf+xml") ||
		!bytes.Contains(in.Part.Body, []byte("<basic>open</basic>")) {
		t.Errorf("bob's instance: %+v", in)
	}
	if dave := n.Resources[1].Instances[0]; dave.Part == nil || !bytes.Contains(dave.Part.Body, []byte("closed")) {
		t.Errorf("dave's instance: %+v", dave)
	}
	if ed := n.Resources[2]; len(ed.Instances) != 0 || ed.Name != "Ed at NET" {
		t.Errorf("ed: %+v", ed)
	}
}

// TestRFC4662Partial: a partial notification with pending and terminated
// instances and why.
func TestRFC4662Partial(t *testing.T) {
	n := decodeFile(t, "rfc4662-partial.mime")
	if n.Version != 2 || n.FullState || len(n.Resources) != 3 {
		t.Fatalf("list: %+v", n)
	}
	if in := n.Resources[0].Instances[0]; in.Part == nil || !bytes.Contains(in.Part.Body, []byte("open")) {
		t.Errorf("dave: %+v", in)
	}
	if in := n.Resources[1].Instances[0]; in.State != StatePending || in.Part != nil {
		t.Errorf("ed: %+v", in)
	}
	if in := n.Resources[2].Instances[0]; in.State != StateTerminated || in.Reason != "rejected" {
		t.Errorf("mallory: %+v", in)
	}
}

// TestKamailio: what Kamailio 5.6's rls sends (captured by
// internal/kamailio's TestRLS): RLMI on one line, a start parameter.
func TestKamailio(t *testing.T) {
	n := decodeFile(t, "kamailio-partial.mime")
	if n.URI != "sip:alice-buddies@parley.test" || n.Version != 2 || n.FullState || len(n.Resources) != 1 {
		t.Fatalf("list: %+v", n)
	}
	in := n.Resources[0].Instances[0]
	if n.Resources[0].URI != "sip:bob@parley.test" || in.State != StateActive || in.Part == nil ||
		!bytes.Contains(in.Part.Body, []byte("in the list")) {
		t.Errorf("bob: %+v", n.Resources[0])
	}
}

func TestBareRLMIAndBase64(t *testing.T) {
	n, err := Decode("application/rlmi+xml", []byte(`<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="0" fullState="true"><resource uri="sip:a@x"/></list>`))
	if err != nil || len(n.Resources) != 1 {
		t.Fatalf("bare RLMI: %+v %v", n, err)
	}
	body := "--b\r\nContent-ID: <r>\r\nContent-Type: application/rlmi+xml\r\n\r\n" +
		`<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:l@x" version="3" fullState="false"><resource uri="sip:a@x"><instance id="1" state="active" cid="p"/></resource></list>` +
		"\r\n--b\r\nContent-ID: <p>\r\nContent-Type: application/pidf+xml\r\nContent-Transfer-Encoding: base64\r\n\r\nPGJhc2ljPm9wZW48L2Jhc2ljPg==\r\n--b--\r\n"
	n, err = Decode(`multipart/related;type="application/rlmi+xml";boundary=b`, []byte(body))
	if err != nil || n.Resources[0].Instances[0].Part == nil || string(n.Resources[0].Instances[0].Part.Body) != "<basic>open</basic>" {
		t.Errorf("base64 part: %+v %v", n, err)
	}
}

func TestRefuses(t *testing.T) {
	cases := map[string]string{
		"text/plain":        "x",
		"multipart/related": "--b\r\n\r\nx\r\n--b--",
		`multipart/related;boundary=b;start="<nope>"`: "--b\r\nContent-ID: <r>\r\nContent-Type: application/rlmi+xml\r\n\r\n<list/>\r\n--b--\r\n",
		`multipart/related;boundary=b`:                "--b\r\nContent-ID: <r>\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>\r\n--b--\r\n",
		"application/rlmi+xml":                        `<list xmlns="urn:other" version="1" fullState="true"/>`,
		"application/rlmi+xml; charset=UTF-8":         `<list xmlns="urn:ietf:params:xml:ns:rlmi" version="x" fullState="true"/>`,
		"application/rlmi+xml; charset=\"UTF-8\"":     `<list xmlns="urn:ietf:params:xml:ns:rlmi" version="1" fullState="maybe"/>`,
	}
	for ct, body := range cases {
		if _, err := Decode(ct, []byte(body)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%q, %q) = %v, want ErrInvalid", ct, body, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"rfc4662-full.mime", "rfc4662-partial.mime", "kamailio-partial.mime"} {
		ct, body := readMIME(f, name)
		f.Add(ct, body)
	}
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		n, err := Decode(ct, body)
		if err != nil {
			return
		}
		for _, r := range n.Resources {
			for _, in := range r.Instances {
				if in.Part != nil && in.CID == "" {
					t.Fatalf("a part for an instance without cid: %+v", in)
				}
			}
		}
	})
}
