package pidf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// stripProlog removes the XML declaration and a DOCTYPE from an XPIDF
// body, converting Latin-1 to UTF-8, so that xmltree (which refuses both
// DTDs and other encodings) can read it. Every XPIDF sender writes
// `<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN"
// "xpidf.dtd">`; a declared ISO-8859-1 (chan_sip declares it for its PIDF)
// is converted rather than refused. The DOCTYPE
// is dropped only without an internal subset: a "[" could declare
// entities, and that is refused.
func stripProlog(body []byte) ([]byte, error) {
	rest := bytes.TrimLeft(body, " \t\r\n")
	if bytes.HasPrefix(rest, []byte("<?xml")) {
		end := bytes.Index(rest, []byte("?>"))
		if end < 0 {
			return nil, errors.New("unterminated XML declaration")
		}
		decl, after := string(rest[:end]), rest[end+2:]
		var err error
		if rest, err = toUTF8(declaredEncoding(decl), after); err != nil {
			return nil, err
		}
	}
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if !bytes.HasPrefix(rest, []byte("<!DOCTYPE")) {
		return rest, nil
	}
	end := doctypeEnd(rest)
	if end < 0 {
		return nil, errors.New("DOCTYPE with an internal subset, or unterminated")
	}
	return rest[end+1:], nil
}

// declaredEncoding returns the encoding pseudo-attribute of an XML
// declaration, lower-case, "" if none.
func declaredEncoding(decl string) string {
	_, v, ok := strings.Cut(decl, "encoding")
	if !ok {
		return ""
	}
	v = strings.TrimLeft(v, " \t\r\n=")
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return ""
	}
	if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
		return strings.ToLower(v[1 : end+1])
	}
	return ""
}

// toUTF8 converts b from the declared encoding.
func toUTF8(enc string, b []byte) ([]byte, error) {
	switch enc {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return b, nil
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
		out := make([]byte, 0, len(b)+len(b)/8)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", enc)
}

// doctypeEnd returns the index of the ">" closing the DOCTYPE at the
// start of b, skipping quoted literals, or -1 when it has an internal
// subset or does not end.
func doctypeEnd(b []byte) int {
	var quote byte
	for i, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			return -1
		case c == '>':
			return i
		}
	}
	return -1
}
