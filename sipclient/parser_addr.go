package sipclient

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sipgo keeps the white space RFC 3261 allows around ';' and '=' in the
// parameters of From, To and Contact (RFC 4475 3.1.1.1, wsinv): the From
// tag becomes " tag " and the To host gets a trailing space. Without a
// From tag sipgo cannot key an RFC 2543 transaction and answers 400, so
// these values are normalised before sipgo parses them.

// addressParser wraps sipgo's parser of an address header. Contact may
// hold several values; like parseVia it hands sipgo the comma signal
// with an index into the text as given.
func addressParser(def sip.HeaderParser, list bool) sip.HeaderParser {
	return func(name []byte, text string) (sip.Header, error) {
		comma := -1
		value := text
		if list {
			if comma = topLevelComma(text); comma >= 0 {
				value = text[:comma]
			}
		}
		value = addressLWS(value)
		h, err := def(name, value)
		if ct, ok := h.(*sip.ContactHeader); ok && err == nil {
			keepQuotedParams(ct, value)
		}
		if err != nil || comma < 0 {
			return h, err
		}
		return h, commaSignal(comma)
	}
}

// addressLWS removes white space next to ';' and '=' outside quoted
// strings and outside <...>; white space inside <...> is left for sipgo to
// refuse (RFC 4475 3.1.2.14).
func addressLWS(s string) string {
	if !strings.ContainsAny(s, " \t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	quoted, angle := false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			i++
			c = s[i]
		case c == '"' && angle == 0:
			quoted = !quoted
		case !quoted && c == '<':
			angle++
		case !quoted && c == '>' && angle > 0:
			angle--
		case !quoted && angle == 0 && (c == ' ' || c == '\t'):
			j := i
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			if j == len(s) || isParamSep(s[j]) || (b.Len() > 0 && isParamSep(lastByte(&b))) {
				i = j - 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isParamSep(c byte) bool { return c == ';' || c == '=' }

// keepQuotedParams re-reads the parameters after a Contact's <address>
// when one holds a quoted ';': sipgo splits at it, and a GRUU (RFC 5627
// pub-gruu="sip:alice@example.com;gr=urn:uuid:...") comes out cut.
func keepQuotedParams(ct *sip.ContactHeader, value string) {
	rest, ok := afterAngle(value)
	if !ok || !strings.Contains(rest, "\"") {
		return
	}
	params := sip.NewParams()
	for _, p := range splitUnquoted(rest, ';') {
		k, v, _ := strings.Cut(p, "=")
		if k = strings.TrimSpace(k); k != "" {
			params.Add(k, strings.TrimSpace(v))
		}
	}
	ct.Params = params
}

// afterAngle is what follows the closing '>' of the address, outside
// quotes (a display name may hold '<').
func afterAngle(s string) (string, bool) {
	i := indexUnquoted(s, '>')
	if i < 0 {
		return "", false
	}
	return s[i+1:], true
}

// splitUnquoted splits s at sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	for i := indexUnquoted(s, sep); i >= 0; i = indexUnquoted(s, sep) {
		out = append(out, s[:i])
		s = s[i+1:]
	}
	return append(out, s)
}

// indexUnquoted is the index of the first sep in s outside double quotes
// (where a backslash escapes the next byte), or -1.
func indexUnquoted(s string, sep byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			return i
		}
	}
	return -1
}
