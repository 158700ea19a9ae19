package cpim

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const featuresNS = "mid:MessageFeatures@id.foo.com"

// RFC 3862 section 5.1, CRLF line endings.
func TestDecodeRFC3862Example(t *testing.T) {
	m := decodeFile(t, "rfc3862-example.cpim")
	from, err := m.From()
	if err != nil || from != (Address{Name: "MR SANDERS", URI: "im:piglet@100akerwood.com"}) {
		t.Errorf("From = %+v, %v", from, err)
	}
	if to := m.To(); !reflect.DeepEqual(to, []Address{{Name: "Depressed Donkey", URI: "im:eeyore@100akerwood.com"}}) {
		t.Errorf("To = %+v", to)
	}
	when, ok := m.DateTime()
	if !ok || !when.Equal(time.Date(2000, 12, 13, 21, 40, 0, 0, time.UTC)) {
		t.Errorf("DateTime = %v, %v", when, ok)
	}
	if got := m.Subject(""); got != "the weather will be fine today" {
		t.Errorf("Subject = %q", got)
	}
	if got := m.Subject("FR"); got != "beau temps prevu pour aujourd'hui" {
		t.Errorf("Subject(fr) = %q", got)
	}
	if got := m.Require(); !slices.Equal(got, []string{"MyFeatures.VitalMessageOption"}) {
		t.Errorf("Require = %q", got)
	}
	if v, ok := m.Get(featuresNS, "vitalmessageoption"); !ok || v != "Confirmation-requested" {
		t.Errorf("VitalMessageOption = %q, %v", v, ok)
	}
	if v, _ := m.Get(featuresNS, "WackyMessageOption"); v != "Use-silly-font" {
		t.Errorf("WackyMessageOption = %q", v)
	}
	wantContent := []Field{{"Content-type", "text/xml; charset=utf-8"}, {"Content-ID", "<1234567890@foo.com>"}}
	if !reflect.DeepEqual(m.Content, wantContent) || m.ContentType() != "text/xml; charset=utf-8" {
		t.Errorf("content headers %+v", m.Content)
	}
	if want := "<body>\r\nHere is the text of my message.\r\n</body>\r\n"; string(m.Body) != want {
		t.Errorf("body %q", m.Body)
	}
	if len(m.Headers) != 9 || m.Headers[4].Params[0] != (Param{"lang", "fr"}) {
		t.Errorf("headers %+v", m.Headers)
	}
}

// The prefix is the sender's choice; Get goes by namespace.
func TestNamespacePrefixIsGeneral(t *testing.T) {
	m := mustDecode(t, "From: <sip:a@b>\r\nTo: <sip:c@d>\r\nNS: x <urn:ietf:params:imdn>\r\n"+
		"x.Message-ID: 42\r\nimdn.Message-ID: not-this-one\r\n\r\nContent-Type: text/plain\r\n\r\nhi")
	if v, ok := m.Get("urn:ietf:params:imdn", "Message-ID"); !ok || v != "42" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if p, ok := m.PrefixOf("urn:ietf:params:imdn"); !ok || p != "x" {
		t.Errorf("PrefixOf = %q, %v", p, ok)
	}
	// Lookup takes a prefix as written, declared or not.
	if v, ok := m.Lookup("imdn", "message-id"); !ok || v != "not-this-one" {
		t.Errorf("Lookup = %q, %v", v, ok)
	}
	if _, ok := m.Namespace("imdn"); ok {
		t.Error("undeclared prefix resolved")
	}
}

// The RFC 5438 disposition request: DateTime after the IMDN headers, the
// Content-Length cuts the trailing CRLF, header names in any case.
func TestDecodeRFC5438Request(t *testing.T) {
	m := decodeFile(t, "rfc5438-disposition-request.cpim")
	if v, _ := m.Get("urn:ietf:params:imdn", "Disposition-Notification"); v != "positive-delivery, display" {
		t.Errorf("Disposition-Notification = %q", v)
	}
	if v, _ := m.Field("content-length"); v != "11" || string(m.Body) != "Hello World" {
		t.Errorf("Content-Length %q, body %q", v, m.Body)
	}
}

// liblinphone's CpimChatMessageModifier: a quoted name glued to the URI,
// Message-ID without its prefix (a TODO in their code), core headers
// first then the imdn ones, Content-Length.
func TestDecodeLinphone(t *testing.T) {
	m := decodeFile(t, "linphone-message.cpim")
	from, err := m.From()
	if err != nil || from != (Address{Name: "Alice Liddell", URI: "sip:alice@sip.example.org"}) {
		t.Errorf("From = %+v, %v", from, err)
	}
	if v, ok := m.Get(NamespaceCore, "Message-ID"); !ok || v != "fPZyq1Ilk0jm" {
		t.Errorf("bare Message-ID = %q, %v", v, ok)
	}
	if string(m.Body) != "Salut Bob !" || m.ContentType() != "text/plain" {
		t.Errorf("body %q type %q", m.Body, m.ContentType())
	}
}

// sipsimple's CPIMPayload: unquoted display name, "Required" for Require,
// CRLF message headers but a MIME part from Python's email package with
// LF line endings and a MIME-Version.
func TestDecodeSipsimple(t *testing.T) {
	m := decodeFile(t, "sipsimple-message.cpim")
	from, _ := m.From()
	if from != (Address{Name: "Alice Liddell", URI: "sip:alice@example.com"}) {
		t.Errorf("From = %+v", from)
	}
	if got := m.Require(); !slices.Equal(got, []string{"foo.Bar"}) {
		t.Errorf("Require = %q", got)
	}
	if m.ContentType() != `text/plain; charset="utf-8"` || string(m.Body) != "Tea at four?" {
		t.Errorf("type %q body %q", m.ContentType(), m.Body)
	}
	if when, ok := m.DateTime(); !ok || when.Unix() != 1710236465 {
		t.Errorf("DateTime %v %v", when, ok)
	}
}

// An RCS-style message with LF line endings throughout, a tel: sender
// and a Content-Length that stops before the final newline.
func TestDecodeLFOnly(t *testing.T) {
	m := decodeFile(t, "rcs-lf.cpim")
	from, _ := m.From()
	if from.URI != "tel:+33612345678" {
		t.Errorf("From = %+v", from)
	}
	if want := "Message sent on 2024-03-12\n@ 09:41:05.000Z!"; string(m.Body) != want {
		t.Errorf("body %q", m.Body)
	}
	if when, ok := m.DateTime(); !ok || when.Unix() != 1710236465 {
		t.Errorf("DateTime %v %v", when, ok)
	}
}

func TestDecodeGenerous(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(*Message) bool
	}{
		{"no Content-Length, body to the end", "From: <sip:a@b>\n\nContent-Type: text/plain\n\nline one\nline two\n",
			func(m *Message) bool { return string(m.Body) == "line one\nline two\n" }},
		{"no body at all", "From: <sip:a@b>\r\n\r\nContent-Type: text/plain",
			func(m *Message) bool { return m.Body == nil && m.ContentType() == "text/plain" }},
		{"leading blank lines", "\r\n\r\nFrom: <sip:a@b>\r\n\r\nContent-Type: a/b\r\n\r\nx",
			func(m *Message) bool { return len(m.Headers) == 1 && string(m.Body) == "x" }},
		{"header case", "FROM: <sip:a@b>\r\nto: <sip:c@d>\r\n\r\ncontent-type: a/b\r\n\r\n",
			func(m *Message) bool {
				f, err := m.From()
				return err == nil && f.URI == "sip:a@b" && len(m.To()) == 1 && m.ContentType() == "a/b"
			}},
		{"folded lines", "Subject: one\r\n two\r\n\r\nContent-Type: text/plain;\r\n\tcharset=utf-8\r\n\r\n",
			func(m *Message) bool {
				return m.Subject("") == "one two" && m.ContentType() == "text/plain;\tcharset=utf-8"
			}},
		{"no space after colon", "From:<sip:a@b>\r\n\r\nContent-Type:a/b\r\n\r\n",
			func(m *Message) bool { f, _ := m.From(); return f.URI == "sip:a@b" && m.ContentType() == "a/b" }},
		{"quoted parameter", "Subject:;lang=\"e n\";x Hi\r\n\r\nContent-Type: a/b\r\n\r\n",
			func(m *Message) bool {
				return reflect.DeepEqual(m.Headers[0].Params, []Param{{"lang", `"e n"`}, {"x", ""}}) && m.Headers[0].Value == "Hi"
			}},
		{"escapes in Subject", `Subject: a\tb\\c\u00e9\q` + "\r\n\r\nContent-Type: a/b\r\n\r\n",
			func(m *Message) bool { return m.Subject("") == "a\tb\\cé\\q" }},
		{"Content-Length shorter than what follows", "From: <sip:a@b>\r\n\r\nContent-Length: 2\r\n\r\nhi\r\n",
			func(m *Message) bool { return string(m.Body) == "hi" }},
		{"undeclared prefix kept", "imdn.Message-ID: 7\r\n\r\nContent-Type: a/b\r\n\r\n",
			func(m *Message) bool { v, ok := m.Lookup("imdn", "Message-ID"); return ok && v == "7" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m := mustDecode(t, tt.body); !tt.check(m) {
				t.Errorf("got %+v", m)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const head = "From: <sip:a@b>\r\n\r\n"
	tests := []struct {
		name, body string
		want       error
	}{
		{"empty", "", ErrMalformed},
		{"no blank line", "From: <sip:a@b>\r\nTo: <sip:c@d>\r\n", ErrMalformed},
		{"plain text", "Hello there", ErrMalformed},
		{"no colon", "From <sip:a@b>\r\n\r\nContent-Type: a/b\r\n\r\n", ErrMalformed},
		{"bad name", "Fr om: x\r\n\r\n\r\n", ErrMalformed},
		{"bad prefix", "a/b.c: x\r\n\r\n\r\n", ErrMalformed},
		{"stray CR", "From: <sip:a@b>\rTo: x\r\n\r\n\r\n", ErrMalformed},
		{"NUL in header", "From: <sip:a\x00@b>\r\n\r\n\r\n", ErrMalformed},
		{"bad parameter", "Subject:;=x y\r\n\r\n\r\n", ErrMalformed},
		{"unterminated quote", "Subject:;a=\"x y\r\n\r\n\r\n", ErrMalformed},
		{"parameters glued to value", "Subject:;lang=fr\"x\r\n\r\n\r\n", ErrMalformed},
		{"bad content header", head + "Content Type: a/b\r\n\r\n", ErrMalformed},
		{"Content-Length too long", head + "Content-Length: 10\r\n\r\nshort", ErrMalformed},
		{"Content-Length not a number", head + "Content-Length: ten\r\n\r\nshort", ErrMalformed},
		{"Content-Length negative", head + "Content-Length: -1\r\n\r\n", ErrMalformed},
		{"Content-Lengths disagree", head + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", ErrMalformed},
		{"over MaxSize", head + "Content-Type: a/b\r\n\r\n" + strings.Repeat("x", MaxSize), ErrTooLarge},
		{"header block over MaxHeaderBytes", "Subject: " + strings.Repeat("x", MaxHeaderBytes) + "\r\n\r\n\r\n", ErrTooLarge},
		{"too many headers", strings.Repeat("a: b\r\n", MaxHeaders+1) + "\r\n\r\n", ErrTooLarge},
		{"too many content headers", head + strings.Repeat("a: b\r\n", MaxHeaders+1) + "\r\n", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) || m != nil {
				t.Fatalf("got (%+v, %v), want %v", m, err, tt.want)
			}
		})
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want Address
		ok   bool
	}{
		{"<sip:a@b>", Address{URI: "sip:a@b"}, true},
		{"MR SANDERS <im:piglet@100akerwood.com>", Address{"MR SANDERS", "im:piglet@100akerwood.com"}, true},
		{`"Alice"<sip:a@b>`, Address{"Alice", "sip:a@b"}, true},
		{`"A \"B\" \\ C" <sip:a@b;transport=tcp>`, Address{`A "B" \ C`, "sip:a@b;transport=tcp"}, true},
		{"sip:bare@b", Address{URI: "sip:bare@b"}, true},
		{"", Address{}, false},
		{"<>", Address{}, false},
		{"Alice <sip:a@b", Address{}, false},
		{`"Alice <sip:a@b>`, Address{}, false},
		{"Alice sip:a@b", Address{}, false},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAddress(%q) = %+v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseAddress(%q): unclassified %v", tt.in, err)
		}
	}
}
