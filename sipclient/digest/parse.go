package digest

import (
	"fmt"
	"strings"
)

// param is one auth-param: a lower-case name and its unquoted value.
type param struct{ name, value string }

// rawChallenge is one challenge of any scheme, before interpretation.
type rawChallenge struct {
	scheme string
	params []param
}

// splitChallenges reads a header value that lists one or more challenges:
// `Digest realm="a", nonce="b", Digest realm="a", ...`. A token followed
// by another token (not by '=') starts a new challenge.
func splitChallenges(s string) ([]rawChallenge, error) {
	l := lexer{s: s}
	var out []rawChallenge
	for {
		l.skipOWS()
		if l.done() {
			return out, nil
		}
		if l.peek() == ',' {
			l.pos++
			continue
		}
		name := l.token()
		if name == "" {
			return nil, l.errorf("expected a scheme or parameter name")
		}
		l.skipOWS()
		if l.done() || l.peek() != '=' {
			out = append(out, rawChallenge{scheme: name})
			continue
		}
		l.pos++
		if len(out) == 0 {
			return nil, l.errorf("parameter %q before any scheme", name)
		}
		if err := l.param(&out[len(out)-1], name); err != nil {
			return nil, err
		}
	}
}

// param reads the value after "name=" and the separator after it.
func (l *lexer) param(c *rawChallenge, name string) error {
	l.skipOWS()
	if l.done() || l.peek() == ',' || l.peek() == '=' {
		if !strings.EqualFold(c.scheme, "Digest") {
			l.skipToken68Padding()
			return nil // token68 of another scheme ("Negotiate abc==")
		}
		return l.errorf("empty value for %q", name)
	}
	v, err := l.value()
	if err != nil {
		return err
	}
	c.params = append(c.params, param{strings.ToLower(name), v})
	l.skipOWS()
	if !l.done() && l.peek() != ',' {
		return l.errorf("expected ',' after %q", name)
	}
	return nil
}

type lexer struct {
	s   string
	pos int
}

func (l *lexer) done() bool { return l.pos >= len(l.s) }
func (l *lexer) peek() byte { return l.s[l.pos] }

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrMalformedChallenge, fmt.Sprintf(format, args...), l.pos)
}

func (l *lexer) skipOWS() {
	for !l.done() && (l.peek() == ' ' || l.peek() == '\t') {
		l.pos++
	}
}

func (l *lexer) skipToken68Padding() {
	for !l.done() && l.peek() == '=' {
		l.pos++
	}
}

func (l *lexer) token() string {
	start := l.pos
	for !l.done() && isTokenChar(l.peek()) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// value reads a quoted-string (unescaping it) or, leniently, a bare value
// running to the next comma or space: servers send nonces unquoted.
func (l *lexer) value() (string, error) {
	if l.peek() == '"' {
		return l.quoted()
	}
	start := l.pos
	for !l.done() && l.peek() != ',' && l.peek() != ' ' && l.peek() != '\t' {
		if c := l.peek(); c == '"' || isControl(c) {
			return "", l.errorf("bad character in unquoted value")
		}
		l.pos++
	}
	return l.s[start:l.pos], nil
}

func (l *lexer) quoted() (string, error) {
	l.pos++ // opening quote
	var b strings.Builder
	for !l.done() {
		c := l.peek()
		l.pos++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			if l.done() || isControl(l.peek()) {
				return "", l.errorf("bad escape in quoted string")
			}
			b.WriteByte(l.peek())
			l.pos++
		case isControl(c) && c != '\t':
			return "", l.errorf("control character in quoted string")
		default:
			b.WriteByte(c)
		}
	}
	return "", l.errorf("unterminated quoted string")
}

func isControl(c byte) bool { return c < 0x20 || c == 0x7f }

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
