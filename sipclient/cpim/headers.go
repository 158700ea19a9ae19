package cpim

import (
	"fmt"
	"strings"
	"time"
)

// From returns the sender, ErrMalformed if the header is absent or
// unreadable.
func (m *Message) From() (Address, error) {
	v, ok := m.Get(NamespaceCore, "From")
	if !ok {
		return Address{}, fmt.Errorf("%w: no From header", ErrMalformed)
	}
	return ParseAddress(v)
}

// To returns the recipients, in order; unreadable ones are skipped.
func (m *Message) To() []Address { return m.addresses("To") }

// Cc returns the courtesy recipients, in order; unreadable ones are
// skipped.
func (m *Message) Cc() []Address { return m.addresses("cc") }

func (m *Message) addresses(name string) []Address {
	var out []Address
	for _, v := range m.Values(NamespaceCore, name) {
		if a, err := ParseAddress(v); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// DateTime returns the DateTime header; ok is false when it is absent or
// not an RFC 3339 date-time.
func (m *Message) DateTime() (t time.Time, ok bool) {
	v, found := m.Get(NamespaceCore, "DateTime")
	if !found {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(strings.TrimSpace(v)))
	return t, err == nil
}

// Subject returns the subject in language lang ("" for the one without
// a lang parameter), escapes undone; when there is none in that
// language, the first subject.
func (m *Message) Subject(lang string) string {
	var first string
	seen := false
	for _, h := range m.Headers {
		if h.Prefix != "" || !strings.EqualFold(h.Name, "Subject") {
			continue
		}
		if strings.EqualFold(paramValue(h.Params, "lang"), lang) {
			return Unescape(h.Value)
		}
		if !seen {
			first, seen = Unescape(h.Value), true
		}
	}
	return first
}

// Require returns the header names listed by Require headers (sipsimple
// writes "Required", which is read too).
func (m *Message) Require() []string {
	vals := append(m.Values(NamespaceCore, "Require"), m.Values(NamespaceCore, "Required")...)
	var out []string
	for _, v := range vals {
		for n := range strings.SplitSeq(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

func paramValue(ps []Param, name string) string {
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return p.Value
		}
	}
	return ""
}

// parseNS reads an NS value, `prefix <uri>` or `<uri>`.
func parseNS(v string) (prefix, uri string, err error) {
	v = strings.TrimSpace(v)
	lt := strings.IndexByte(v, '<')
	if lt < 0 || !strings.HasSuffix(v, ">") {
		return "", "", fmt.Errorf("%w: NS %q", ErrMalformed, v)
	}
	prefix = strings.TrimSpace(v[:lt])
	if prefix != "" && !validName(prefix) {
		return "", "", fmt.Errorf("%w: NS prefix %q", ErrMalformed, prefix)
	}
	return prefix, strings.TrimSpace(v[lt+1 : len(v)-1]), nil
}
