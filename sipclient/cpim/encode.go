package cpim

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Encode writes m with CRLF line endings. It refuses (ErrInvalid) a
// message without From, To or Content-Type, a prefix no NS header
// declares, names and parameters outside the RFC's grammar, and values
// with control characters (escape free text with Escape first). The
// Content-Length written is always the body's; one in m.Content is
// ignored.
func Encode(m *Message) ([]byte, error) {
	if err := check(m); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(256 + len(m.Body))
	for _, h := range m.Headers {
		writeHeader(&b, h)
	}
	b.WriteString("\r\n")
	for _, f := range m.Content {
		if !strings.EqualFold(f.Name, "Content-Length") {
			b.WriteString(f.Name + ": " + f.Value + "\r\n")
		}
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(m.Body)) + "\r\n\r\n")
	b.Write(m.Body)
	return b.Bytes(), nil
}

func writeHeader(b *bytes.Buffer, h Header) {
	if h.Prefix != "" {
		b.WriteString(h.Prefix + ".")
	}
	b.WriteString(h.Name + ":")
	for _, p := range h.Params {
		b.WriteString(";" + p.Name)
		if p.Value != "" {
			b.WriteString("=" + p.Value)
		}
	}
	b.WriteString(" " + h.Value + "\r\n")
}

// check enforces what Encode promises.
func check(m *Message) error {
	if m == nil {
		return fmt.Errorf("%w: nil message", ErrInvalid)
	}
	for _, name := range []string{"From", "To"} {
		if _, ok := m.Get(NamespaceCore, name); !ok {
			return fmt.Errorf("%w: no %s header", ErrInvalid, name)
		}
	}
	if m.ContentType() == "" {
		return fmt.Errorf("%w: no Content-Type for the encapsulated part", ErrInvalid)
	}
	for _, h := range m.Headers {
		if err := checkHeader(m, h); err != nil {
			return err
		}
	}
	for _, f := range m.Content {
		if !isMIMEToken(f.Name) {
			return fmt.Errorf("%w: content header name %q", ErrInvalid, f.Name)
		}
		if err := checkText("content header "+f.Name, f.Value); err != nil {
			return err
		}
	}
	return nil
}

func checkHeader(m *Message, h Header) error {
	if !isToken(h.Name) {
		return fmt.Errorf("%w: header name %q", ErrInvalid, h.Name)
	}
	if h.Prefix != "" {
		if _, ok := m.Namespace(h.Prefix); !ok {
			return fmt.Errorf("%w: prefix %q of %s.%s has no NS header", ErrInvalid, h.Prefix, h.Prefix, h.Name)
		}
	}
	for _, p := range h.Params {
		if !isToken(p.Name) || !validParamValue(p.Value) {
			return fmt.Errorf("%w: parameter %s=%s of %s", ErrInvalid, p.Name, p.Value, h.Name)
		}
	}
	return checkText("header "+h.Name, h.Value)
}

// validParamValue accepts what Decode reads back unchanged: nothing, a
// token, or a whole quoted string.
func validParamValue(v string) bool {
	if v == "" || isToken(v) {
		return true
	}
	got, rest, err := paramValueOf(v)
	return err == nil && rest == "" && got == v && checkText("", v) == nil
}
