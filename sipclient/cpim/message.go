package cpim

import (
	"strconv"
	"strings"
	"time"
)

// ContentType is the media type of a CPIM body.
const ContentType = "message/cpim"

// NamespaceCore is the namespace of the unprefixed headers From, To, cc,
// DateTime, Subject, NS and Require.
const NamespaceCore = "urn:ietf:params:cpim-headers:"

// Bounds on what Decode accepts. Instant messages are small; these leave
// room for file-transfer descriptions and group-chat headers.
const (
	MaxSize        = 1 << 20  // whole body
	MaxHeaderBytes = 16 << 10 // each header block
	MaxHeaders     = 128      // headers in each block
)

// Param is one header parameter, such as lang=fr in
// "Subject:;lang=fr Bonjour".
type Param struct {
	Name  string
	Value string // as written, quotes included for a quoted string
}

// Header is one message header. Prefix is the name prefix before the dot
// ("imdn" in imdn.Message-ID), "" for core headers; Value has the RFC's
// backslash escapes undone.
type Header struct {
	Prefix string
	Name   string
	Params []Param
	Value  string
}

// Field is one MIME header of the encapsulated part (Content-Type,
// Content-ID, Content-Disposition...), value trimmed.
type Field struct {
	Name  string
	Value string
}

// Message is a decoded Message/CPIM body.
type Message struct {
	Headers []Header // message headers, in order
	Content []Field  // MIME headers of the encapsulated part, in order
	Body    []byte   // the encapsulated part's body
}

// New returns a message from one sender to one recipient carrying body
// of type contentType, dated now (truncated to the second, in UTC).
func New(from, to Address, contentType string, body []byte) *Message {
	return &Message{
		Headers: []Header{
			{Name: "From", Value: from.String()},
			{Name: "To", Value: to.String()},
			{Name: "DateTime", Value: FormatDateTime(time.Now())},
		},
		Content: []Field{{Name: "Content-Type", Value: contentType}},
		Body:    body,
	}
}

// FormatDateTime writes t as a DateTime value: RFC 3339 in UTC, to the
// second, the shape Linphone writes.
func FormatDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Namespace returns the URI bound to prefix by the message's NS headers;
// "" (no prefix) is always the core namespace. A later NS for the same
// prefix wins. ok is false for an undeclared prefix.
func (m *Message) Namespace(prefix string) (uri string, ok bool) {
	if prefix == "" {
		return NamespaceCore, true
	}
	for _, h := range m.Headers {
		if h.Prefix != "" || !strings.EqualFold(h.Name, "NS") {
			continue
		}
		if p, u, err := parseNS(h.Value); err == nil && p == prefix {
			uri, ok = u, true
		}
	}
	return uri, ok
}

// PrefixOf returns the prefix the message's NS headers bind to uri, the
// last one when several do.
func (m *Message) PrefixOf(uri string) (prefix string, ok bool) {
	if uri == NamespaceCore {
		return "", true
	}
	for _, h := range m.Headers {
		if h.Prefix != "" || !strings.EqualFold(h.Name, "NS") {
			continue
		}
		if p, u, err := parseNS(h.Value); err == nil && u == uri && p != "" {
			prefix, ok = p, true
		}
	}
	return prefix, ok
}

// Values returns the values of the headers called name (any case) in
// namespace ns, in order.
func (m *Message) Values(ns, name string) []string {
	var out []string
	for _, h := range m.Headers {
		if !strings.EqualFold(h.Name, name) {
			continue
		}
		if u, ok := m.Namespace(h.Prefix); ok && u == ns {
			out = append(out, h.Value)
		}
	}
	return out
}

// Get returns the first value of the header called name in namespace ns.
func (m *Message) Get(ns, name string) (string, bool) {
	if v := m.Values(ns, name); len(v) > 0 {
		return v[0], true
	}
	return "", false
}

// Lookup returns the first value of the header written prefix.name,
// whether or not an NS header declares the prefix: for senders that use
// a well-known prefix and forget its NS.
func (m *Message) Lookup(prefix, name string) (string, bool) {
	for _, h := range m.Headers {
		if h.Prefix == prefix && strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// Add appends a header called name in namespace ns, declaring the
// namespace first with an NS header when the message has no prefix for
// it. The prefix is preferred if given and free, else one is made up.
func (m *Message) Add(ns, preferred, name, value string) {
	prefix, ok := m.PrefixOf(ns)
	if !ok {
		prefix = m.freePrefix(preferred)
		m.Headers = append(m.Headers, Header{Name: "NS", Value: prefix + " <" + ns + ">"})
	}
	m.Headers = append(m.Headers, Header{Prefix: prefix, Name: name, Value: value})
}

// freePrefix returns preferred if no NS header binds it yet, else the
// first free of ns1, ns2...
func (m *Message) freePrefix(preferred string) string {
	if preferred != "" && validName(preferred) {
		if _, taken := m.Namespace(preferred); !taken {
			return preferred
		}
	}
	for i := 1; ; i++ {
		p := "ns" + strconv.Itoa(i)
		if _, taken := m.Namespace(p); !taken {
			return p
		}
	}
}

// Field returns the value of the encapsulated part's MIME header name
// (any case), first one wins.
func (m *Message) Field(name string) (string, bool) {
	for _, f := range m.Content {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// ContentType returns the encapsulated part's Content-Type, "" if none.
func (m *Message) ContentType() string {
	v, _ := m.Field("Content-Type")
	return v
}
