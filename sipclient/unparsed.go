package sipclient

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sipgo drops a datagram it cannot parse without a word, so the sender
// retransmits it for 32 seconds and never learns why. RFC 4475 3.1.2
// expects 400 (or 505, 416) for most such requests. screenDatagram, a
// transport read filter, parses each UDP datagram first and answers the
// requests that fail statelessly, from their raw Via, From, To, Call-ID
// and CSeq lines (RFC 3261 8.2.6). Over TCP sipgo closes the connection
// instead, since the framing is lost; that is left as it is.

// screenParser is newParser's twin, for the filter. A sip.Parser is
// read-only once built, so one serves every connection.
var screenParser = newParser()

// screenHeaders names the header a datagram fails on.
var screenHeaders = headerParsers()

// screenDatagram never returns an error: sipgo would stop reading the
// socket.
func (c *Client) screenDatagram(p sip.TransportReadProps, data []byte) ([]byte, error) {
	if !strings.EqualFold(p.Transport, "udp") {
		c.notePong(p.LocalAddr, data)
		return data, nil
	}
	if len(bytes.Trim(data, "\r\n\x00")) == 0 {
		return data, nil
	}
	if c.stunAnswer(data) {
		return nil, nil // a flow keep-alive's answer (outbound_stun.go), not SIP
	}
	_, err := screenParser.ParseSIP(data)
	if err == nil {
		return data, nil
	}
	res, why := answerUnparsed(data, err)
	if res == nil {
		c.opt.log.Debug("unparsable datagram dropped", "source", p.RemoteAddr, "why", why, "error", err)
		return nil, nil
	}
	c.opt.log.Debug("unparsable request refused", "source", p.RemoteAddr, "answer", why, "error", err)
	if _, werr := c.udpConn.WriteTo(res, p.RemoteAddr); werr != nil {
		c.opt.log.Warn("response not sent", "answer", why, "error", werr)
	}
	return nil, nil
}

// answerUnparsed builds the stateless answer to a datagram that failed to
// parse with err, or returns nil with the reason it cannot be answered.
// The second result is the status line's code and reason otherwise.
func answerUnparsed(data []byte, err error) ([]byte, string) {
	lines := headLines(data)
	if len(lines) == 0 || strings.HasPrefix(strings.ToUpper(lines[0]), "SIP/") {
		return nil, "not a request"
	}
	method, _, _ := strings.Cut(lines[0], " ")
	if strings.EqualFold(method, "ACK") {
		return nil, "an ACK is never answered"
	}
	keep := answerHeaders(lines[1:])
	if len(keep) == 0 || headerName(keep[0]) != "via" {
		return nil, "no Via to answer to"
	}
	code, reason := classifyUnparsed(lines, err)
	var b strings.Builder
	b.WriteString("SIP/2.0 " + strconv.Itoa(code) + " " + reason + "\r\n")
	for _, h := range keep {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String()), strconv.Itoa(code) + " " + reason
}

// headLines returns the start line and the header lines of data, folded
// lines joined (RFC 3261 7.3.1), up to the empty line or the end.
func headLines(data []byte) []string {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	var lines []string
	for _, l := range strings.Split(string(head), "\r\n") {
		if n := len(lines); n > 1 && l != "" && (l[0] == ' ' || l[0] == '\t') {
			lines[n-1] += " " + strings.TrimLeft(l, " \t")
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// answerHeaders are the lines an answer copies (RFC 3261 8.2.6.2): every
// Via as sent, in order and first, since the peer matches the answer by
// them; then the first From, To, Call-ID and CSeq, unless malformed: a
// copy would make the answer as unparsable as the request.
func answerHeaders(hdrs []string) []string {
	var vias, rest []string
	seen := map[string]bool{}
	for _, h := range hdrs {
		switch name := headerName(h); name {
		case "via":
			vias = append(vias, h)
		case "from", "to", "call-id", "cseq":
			if !seen[name] && wellFormed(h) {
				rest = append(rest, h)
			}
			seen[name] = true
		}
	}
	return append(vias, rest...)
}

func wellFormed(line string) bool {
	_, err := screenHeaders.ParseHeader(nil, []byte(line))
	return err == nil
}

// headerName is a line's header name, lower case, compact forms expanded.
func headerName(line string) string {
	name, _, ok := strings.Cut(line, ":")
	if !ok {
		return ""
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if long, ok := compactNames[name]; ok {
		return long
	}
	return name
}

var compactNames = map[string]string{"v": "via", "f": "from", "t": "to", "i": "call-id", "l": "content-length",
	"m": "contact", "c": "content-type"}

// canonicalNames spell the headers a reason phrase may name; nothing the
// peer wrote reaches the phrase.
var canonicalNames = map[string]string{"via": "Via", "from": "From", "to": "To", "call-id": "Call-ID",
	"cseq": "CSeq", "contact": "Contact", "content-length": "Content-Length", "content-type": "Content-Type",
	"max-forwards": "Max-Forwards", "route": "Route", "record-route": "Record-Route"}

// classifyUnparsed picks the code and reason for a request that failed to
// parse: the Request-Line first, then the body length, then the first
// header sipgo refuses.
func classifyUnparsed(lines []string, err error) (int, string) {
	if code, reason := checkRequestLine(lines[0]); code != 0 {
		return code, reason
	}
	if errors.Is(err, sip.ErrParseReadBodyIncomplete) {
		return 400, "Content-Length Exceeds Body" // RFC 3261 18.3
	}
	if errors.Is(err, sip.ErrParseEOF) {
		return 400, "Header Not Terminated" // no empty line after it
	}
	for _, h := range lines[1:] {
		if h != "" && !wellFormed(h) {
			if name, ok := canonicalNames[headerName(h)]; ok {
				return 400, "Malformed " + name + " Header"
			}
			return 400, "Malformed Header"
		}
	}
	return 400, "Bad Request"
}

// checkRequestLine: Method SP Request-URI SP SIP-Version, single spaces
// (RFC 3261 7.1, RFC 4475 3.1.2.7-10). It returns 0 when the line is fine.
func checkRequestLine(line string) (int, string) {
	parts := strings.Split(line, " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || strings.ContainsAny(line, "\t") {
		return 400, "Malformed Request-Line"
	}
	if v := parts[2]; !strings.EqualFold(v, "SIP/2.0") {
		if isVersion(v) {
			return 505, "Version Not Supported"
		}
		return 400, "Malformed Request-Line"
	}
	scheme, _, ok := strings.Cut(parts[1], ":")
	if !ok || !isScheme(scheme) {
		return 400, "Malformed Request-URI"
	}
	if !sipScheme(scheme) {
		return 416, "Unsupported URI Scheme"
	}
	return 0, ""
}

// isScheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 3.1).
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (s[i] >= '0' && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// isVersion: "SIP/" 1*DIGIT "." 1*DIGIT (RFC 3261 7.1).
func isVersion(v string) bool {
	if len(v) < 4 || !strings.EqualFold(v[:4], "SIP/") {
		return false
	}
	major, minor, ok := strings.Cut(v[4:], ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
