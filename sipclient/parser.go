package sipclient

import (
	"errors"
	"reflect"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// newParser returns sipgo's parser with the fixes Parley needs:
//   - Via values with linear white space around ';', '=' or ':' (legal per
//     RFC 3261 7.3.1, and what a folded Via turns into) lose host and branch
//     in sipgo's Via parser without an error; we normalise them first.
//   - From, To and Contact lose white space around ';' and '=' of their
//     parameters the same way (parser_addr.go).
//   - compact header forms that sipgo keeps as generic headers (o, u, k, s,
//     e, r, b) are stored under their full names so GetHeader finds them.
func newParser() *sip.Parser {
	return sip.NewParser(sip.WithHeadersParsers(headerParsers()))
}

// headerParsers are newParser's parsers by lower-case header name.
func headerParsers() sip.HeadersParser {
	parsers := sip.HeadersParser{}
	for name, p := range sip.DefaultHeadersParser() {
		parsers[name] = p
	}
	defVia := parsers["via"]
	via := func(name []byte, text string) (sip.Header, error) {
		return parseVia(defVia, name, text)
	}
	parsers["via"] = via
	parsers["v"] = via
	for _, name := range []string{"from", "f", "to", "t", "contact", "m"} {
		parsers[name] = addressParser(parsers[name], name == "contact" || name == "m")
	}
	for short, long := range compactGeneric {
		parsers[short] = genericAs(long)
	}
	return parsers
}

// compactGeneric maps compact header names (RFC 3261 7.3.3, RFC 6665,
// RFC 3515, RFC 3892) that sipgo does not expand.
var compactGeneric = map[string]string{
	"o": "Event",
	"u": "Allow-Events",
	"k": "Supported",
	"s": "Subject",
	"e": "Content-Encoding",
}

func genericAs(name string) sip.HeaderParser {
	return func(_ []byte, text string) (sip.Header, error) {
		return sip.NewHeader(name, text), nil
	}
}

// parseVia parses one Via value of text (which may hold several, comma
// separated). It returns sipgo's comma signal with an index into text as
// given, so sipgo's loop can continue with the next value.
func parseVia(def sip.HeaderParser, name []byte, text string) (sip.Header, error) {
	comma := topLevelComma(text)
	value := text
	if comma >= 0 {
		value = text[:comma]
	}
	h, err := def(name, normalizeLWS(value))
	if err != nil {
		return h, err
	}
	if v, ok := h.(*sip.ViaHeader); ok && (v.Host == "" || v.Transport == "") {
		return nil, errMalformedVia
	}
	if comma >= 0 {
		return h, commaSignal(comma)
	}
	return h, nil
}

var errMalformedVia = errors.New("malformed Via header")

// normalizeLWS removes white space next to the separators of a Via value
// and folds other runs of white space into one space, outside quotes.
func normalizeLWS(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	quoted := false
	pendingSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			quoted = !quoted
		}
		if !quoted && (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			pendingSpace = true
			continue
		}
		if pendingSpace && !quoted && !isSeparator(c) && b.Len() > 0 && !isSeparator(lastByte(&b)) {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteByte(c)
	}
	return b.String()
}

func isSeparator(c byte) bool { return c == ';' || c == '=' || c == ':' || c == '/' }

func lastByte(b *strings.Builder) byte {
	s := b.String()
	return s[len(s)-1]
}

// topLevelComma finds the first comma outside quotes and brackets.
func topLevelComma(s string) int {
	quoted, depth := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++ // a quoted-pair: the next byte is not a quote
			}
		case '"':
			quoted = !quoted
		case '[', '<':
			depth++
		case ']', '>':
			depth--
		case ',':
			if !quoted && depth == 0 {
				return i
			}
		}
	}
	return -1
}

// commaType is sipgo's unexported "comma detected" error type, learned once
// from sipgo itself: it is the only way to hand back several Via values.
var commaType = func() reflect.Type {
	_, err := sip.DefaultHeadersParser()["via"]([]byte("via"), "SIP/2.0/UDP a;branch=z9hG4bK1,SIP/2.0/UDP b")
	if err == nil || reflect.TypeOf(err).Kind() != reflect.Int {
		panic("sipclient: sipgo's Via comma signal changed; update parser.go")
	}
	return reflect.TypeOf(err)
}()

func commaSignal(idx int) error {
	v := reflect.New(commaType).Elem()
	v.SetInt(int64(idx))
	return v.Interface().(error)
}
