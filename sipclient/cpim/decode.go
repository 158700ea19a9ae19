package cpim

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Decode parses a Message/CPIM body: message headers, a blank line, the
// MIME headers of the encapsulated part, a blank line, its body. Lines
// may end in CRLF or LF alone. When the part has a Content-Length, the
// body is cut to it (trailing bytes some stacks add are dropped); a
// length longer than what follows is malformed. Without one, the body is
// everything after the blank line.
func Decode(body []byte) (*Message, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxSize)
	}
	lines, rest, ended, err := readBlock(skipBlankLines(body), "message headers")
	if err != nil {
		return nil, err
	}
	if !ended {
		return nil, fmt.Errorf("%w: no blank line after the message headers", ErrMalformed)
	}
	m := &Message{}
	for _, l := range lines {
		h, err := parseHeader(l)
		if err != nil {
			return nil, err
		}
		m.Headers = append(m.Headers, h)
	}
	if lines, rest, _, err = readBlock(rest, "content headers"); err != nil {
		return nil, err
	}
	for _, l := range lines {
		f, err := parseField(l)
		if err != nil {
			return nil, err
		}
		m.Content = append(m.Content, f)
	}
	if m.Body, err = cutBody(m.Content, rest); err != nil {
		return nil, err
	}
	return m, nil
}

// skipBlankLines drops empty lines before the first header.
func skipBlankLines(b []byte) []byte {
	for {
		line, rest, ok := bytes.Cut(b, []byte("\n"))
		if !ok || len(bytes.TrimRight(line, " \t\r")) != 0 {
			return b
		}
		b = rest
	}
}

// readBlock reads header lines up to a blank line, unfolding lines that
// start with a space or tab, and returns the rest after the blank line.
// ended is false when the input ran out first.
func readBlock(b []byte, what string) (lines []string, rest []byte, ended bool, err error) {
	start := len(b)
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if used := start - len(b); used > MaxHeaderBytes {
			return nil, nil, false, fmt.Errorf("%w: %s over %d bytes", ErrTooLarge, what, MaxHeaderBytes)
		}
		if len(bytes.TrimRight(line, " \t")) == 0 {
			return lines, b, true, nil
		}
		if err := checkLine(line, what); err != nil {
			return nil, nil, false, err
		}
		if (line[0] == ' ' || line[0] == '\t') && len(lines) > 0 {
			lines[len(lines)-1] += string(line)
			continue
		}
		if len(lines) == MaxHeaders {
			return nil, nil, false, fmt.Errorf("%w: more than %d %s", ErrTooLarge, MaxHeaders, what)
		}
		lines = append(lines, string(line))
	}
	return lines, nil, false, nil
}

// checkLine refuses control characters other than tab in a header line:
// a stray CR or NUL there means the message is not what it claims.
func checkLine(line []byte, what string) error {
	for _, c := range line {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Errorf("%w: control character %#x in %s", ErrMalformed, c, what)
		}
	}
	return nil
}

// parseHeader reads one message header:
//
//	[prefix "."] name ":" *(";" param) SP value
//
// Parameters are read only right after the colon, as the grammar puts
// them; whitespace around the value is dropped.
func parseHeader(line string) (Header, error) {
	name, v, ok := strings.Cut(line, ":")
	if !ok {
		return Header{}, fmt.Errorf("%w: message header %q has no colon", ErrMalformed, line)
	}
	var h Header
	h.Name = strings.TrimRight(name, " \t")
	dotted := false
	if p, n, ok := strings.Cut(h.Name, "."); ok {
		h.Prefix, h.Name, dotted = p, n, true
	}
	if (dotted && !validName(h.Prefix)) || !isToken(h.Name) {
		return Header{}, fmt.Errorf("%w: message header name %q", ErrMalformed, name)
	}
	if strings.HasPrefix(v, ";") {
		var err error
		if h.Params, v, err = parseParams(v); err != nil {
			return Header{}, fmt.Errorf("%w: header %s: %v", ErrMalformed, name, err)
		}
	}
	h.Value = strings.Trim(v, " \t")
	return h, nil
}

// parseParams reads *(";" name ["=" value]) up to the space before the
// header value and returns what follows.
func parseParams(s string) ([]Param, string, error) {
	var ps []Param
	for strings.HasPrefix(s, ";") {
		s = s[1:]
		n := strings.IndexAny(s, "=; \t")
		if n < 0 {
			n = len(s)
		}
		p := Param{Name: s[:n]}
		if !isToken(p.Name) {
			return nil, "", fmt.Errorf("parameter name %q", p.Name)
		}
		s = s[n:]
		if strings.HasPrefix(s, "=") {
			var err error
			if p.Value, s, err = paramValueOf(s[1:]); err != nil {
				return nil, "", err
			}
		}
		ps = append(ps, p)
	}
	if s != "" && s[0] != ' ' && s[0] != '\t' {
		return nil, "", fmt.Errorf("no space between parameters and value")
	}
	return ps, s, nil
}

// paramValueOf reads a token or a quoted string (kept with its quotes).
func paramValueOf(s string) (v, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		n := strings.IndexAny(s, "; \t")
		if n < 0 {
			n = len(s)
		}
		if !isToken(s[:n]) {
			return "", "", fmt.Errorf("parameter value %q", s[:n])
		}
		return s[:n], s[n:], nil
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[:i+1], s[i+1:], nil
		}
	}
	return "", "", fmt.Errorf("unterminated quoted parameter")
}

// parseField reads one MIME header of the encapsulated part.
func parseField(line string) (Field, error) {
	name, v, ok := strings.Cut(line, ":")
	name = strings.TrimRight(name, " \t")
	if !ok || !isMIMEToken(name) {
		return Field{}, fmt.Errorf("%w: content header %q", ErrMalformed, line)
	}
	return Field{Name: name, Value: strings.Trim(v, " \t")}, nil
}

// cutBody applies the part's Content-Length, if any, to what follows the
// content headers. Several Content-Length headers must agree.
func cutBody(fields []Field, rest []byte) ([]byte, error) {
	n := -1
	for _, f := range fields {
		if !strings.EqualFold(f.Name, "Content-Length") {
			continue
		}
		v, err := strconv.Atoi(f.Value)
		if err != nil || v < 0 || (n >= 0 && v != n) {
			return nil, fmt.Errorf("%w: Content-Length %q", ErrMalformed, f.Value)
		}
		n = v
	}
	switch {
	case n > len(rest):
		return nil, fmt.Errorf("%w: Content-Length %d but %d bytes follow", ErrMalformed, n, len(rest))
	case n >= 0:
		rest = rest[:n]
	}
	if len(rest) == 0 {
		return nil, nil // one spelling of "no body"
	}
	return bytes.Clone(rest), nil
}
