package cpim

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

// A message as Parley sends it: core headers, an IMDN request under the
// conventional prefix, CRLF throughout, Content-Length from the body.
func TestEncodeGolden(t *testing.T) {
	m := New(Address{Name: "Alice Liddell", URI: "sip:alice@parley.test"},
		Address{URI: "sip:bob@parley.test"}, "text/plain;charset=UTF-8", []byte("Tea at four?"))
	m.Headers[2].Value = FormatDateTime(time.Date(2024, 3, 12, 10, 41, 5, 9e8, time.FixedZone("CET", 3600)))
	m.Add("urn:ietf:params:imdn", "imdn", "Message-ID", "p4rl3y-1")
	m.Add("urn:ietf:params:imdn", "imdn", "Disposition-Notification", "positive-delivery, display")
	m.Content = append(m.Content, Field{"Content-Length", "999"}) // rewritten from the body
	got, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-request.cpim"); !bytes.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// Every golden decodes, encodes and decodes to the same message; only
// Content-Length is normalised.
func TestRoundTripGoldens(t *testing.T) {
	for _, name := range []string{"rfc3862-example.cpim", "rfc5438-disposition-request.cpim",
		"linphone-message.cpim", "sipsimple-message.cpim", "rcs-lf.cpim"} {
		t.Run(name, func(t *testing.T) {
			m := decodeFile(t, name)
			out, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			again := mustDecode(t, string(out))
			if !reflect.DeepEqual(withoutLength(again), withoutLength(m)) {
				t.Errorf("round trip changed the message:\nfirst  %+v\nsecond %+v", m, again)
			}
			if bytes.Contains(bytes.ReplaceAll(out[:len(out)-len(m.Body)], []byte("\r\n"), nil), []byte("\n")) {
				t.Errorf("bare LF in the headers written:\n%q", out)
			}
		})
	}
}

func withoutLength(m *Message) *Message {
	c := *m
	c.Content = nil
	for _, f := range m.Content {
		if f.Name != "Content-Length" && f.Name != "Content-length" {
			c.Content = append(c.Content, f)
		}
	}
	return &c
}

func TestAddDeclaresNamespaceOnce(t *testing.T) {
	m := New(Address{URI: "sip:a@b"}, Address{URI: "sip:c@d"}, "text/plain", nil)
	m.Headers = append(m.Headers, Header{Name: "NS", Value: "imdn <urn:example:other>"})
	m.Add("urn:ietf:params:imdn", "imdn", "Message-ID", "1")
	m.Add("urn:ietf:params:imdn", "whatever", "Disposition-Notification", "display")
	m.Add("urn:example:third", "", "X", "y")
	var ns []string
	for _, h := range m.Headers {
		if h.Name == "NS" {
			ns = append(ns, h.Value)
		}
	}
	want := []string{"imdn <urn:example:other>", "ns1 <urn:ietf:params:imdn>", "ns2 <urn:example:third>"}
	if !reflect.DeepEqual(ns, want) {
		t.Errorf("NS headers %q", ns)
	}
	if v, _ := m.Get("urn:ietf:params:imdn", "Disposition-Notification"); v != "display" {
		t.Errorf("Get = %q", v)
	}
}

func TestAddressString(t *testing.T) {
	tests := []struct {
		a    Address
		want string
	}{
		{Address{URI: "sip:a@b"}, "<sip:a@b>"},
		{Address{"MR SANDERS", "im:piglet@100akerwood.com"}, "MR SANDERS <im:piglet@100akerwood.com>"},
		{Address{"Ann O'Nym", "sip:a@b"}, "Ann O'Nym <sip:a@b>"},
		{Address{"Nym, Ann", "sip:a@b"}, `"Nym, Ann"<sip:a@b>`},
		{Address{`Zoë "Z" \ x`, "sip:a@b"}, `"Zoë \"Z\" \\ x"<sip:a@b>`},
		{Address{"two  spaces", "sip:a@b"}, `"two  spaces"<sip:a@b>`},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.a, got, tt.want)
		}
		if back, err := ParseAddress(tt.want); err != nil || back != tt.a {
			t.Errorf("ParseAddress(%s) = %+v, %v", tt.want, back, err)
		}
	}
}

func TestEscape(t *testing.T) {
	in := "tab\there\nback\\slash\x01é"
	e := Escape(in)
	if e != `tab\there\nback\\slash\u0001é` {
		t.Errorf("Escape = %q", e)
	}
	if got := Unescape(e); got != in {
		t.Errorf("Unescape = %q", got)
	}
}

func TestEncodeErrors(t *testing.T) {
	valid := func() *Message {
		return New(Address{URI: "sip:a@b"}, Address{URI: "sip:c@d"}, "text/plain", []byte("x"))
	}
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"no From", func(m *Message) { m.Headers = m.Headers[1:] }},
		{"no To", func(m *Message) { m.Headers = append(m.Headers[:1], m.Headers[2:]...) }},
		{"no Content-Type", func(m *Message) { m.Content = nil }},
		{"undeclared prefix", func(m *Message) {
			m.Headers = append(m.Headers, Header{Prefix: "imdn", Name: "Message-ID", Value: "1"})
		}},
		{"bad name", func(m *Message) { m.Headers = append(m.Headers, Header{Name: "a b", Value: "1"}) }},
		{"newline in value", func(m *Message) { m.Headers[0].Value = "<sip:a@b>\r\nTo: <sip:evil@x>" }},
		{"invalid UTF-8", func(m *Message) { m.Headers[0].Value = "\xff" }},
		{"bad parameter value", func(m *Message) {
			m.Headers = append(m.Headers, Header{Name: "Subject", Params: []Param{{"lang", "f r"}}, Value: "x"})
		}},
		{"bad content name", func(m *Message) { m.Content = append(m.Content, Field{"Content:Type", "x"}) }},
		{"newline in content value", func(m *Message) { m.Content[0].Value = "text/plain\r\n\r\ninjected" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.edit(m)
			if out, err := Encode(m); !errors.Is(err, ErrInvalid) || out != nil {
				t.Fatalf("got (%q, %v), want ErrInvalid", out, err)
			}
		})
	}
	if _, err := Encode(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil: %v", err)
	}
}
