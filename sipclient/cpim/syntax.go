package cpim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// isNameChar reports whether c is a NAMECHAR of RFC 3862 section 3.6:
// a printable ASCII character other than the separators "(),./:;<=>?@[\]{}
// and the double quote.
func isNameChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-^_`|~", c) >= 0
}

// validName reports whether s is a Name: one or more NAMECHARs.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

// isToken reports whether s is a Token: NAMECHARs and dots.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

// isMIMEToken reports whether s is a MIME header name (RFC 2045 token).
func isMIMEToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkText refuses what cannot stand in a header value on one line:
// control characters (horizontal tab aside) and invalid UTF-8.
func checkText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, what)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Errorf("%w: %s has control character %#x; escape it with Escape", ErrInvalid, what, c)
		}
	}
	return nil
}

// Escape writes s with the escapes of RFC 3862 section 2.3: backslash
// and control characters become \\, \t, \n, \r, \b or \uXXXX, so any text
// fits in a header value.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\b':
			b.WriteString(`\b`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Unescape undoes the escapes of RFC 3862 section 2.3. A backslash not
// starting a valid escape is kept as written, since many senders never
// escape at all.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if r, n := unescapeOne(s[i+1:]); n > 0 {
			b.WriteRune(r)
			i += n
			continue
		}
		b.WriteByte('\\')
	}
	return b.String()
}

// unescapeOne reads the escape after a backslash; n is 0 for none.
func unescapeOne(s string) (r rune, n int) {
	switch s[0] {
	case '\\', '"', '\'':
		return rune(s[0]), 1
	case 'b':
		return '\b', 1
	case 't':
		return '\t', 1
	case 'n':
		return '\n', 1
	case 'r':
		return '\r', 1
	case 'u':
		if len(s) >= 5 {
			if v, err := strconv.ParseUint(s[1:5], 16, 32); err == nil {
				return rune(v), 5
			}
		}
	}
	return 0, 0
}

// quote writes s as a quoted String.
func quote(s string) string {
	e := Escape(s)
	return `"` + strings.ReplaceAll(e, `"`, `\"`) + `"`
}
