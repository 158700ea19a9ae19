package baresip

import (
	"regexp"
	"strconv"
	"strings"
)

// SIPMessage is one SIP message as printed by baresip's -s trace.
// Requests have Method set, responses StatusCode.
type SIPMessage struct {
	Proto      string // "UDP" or "TCP"
	Src, Dst   string // host:port as printed by baresip
	Method     string // request method, empty for responses
	RequestURI string
	StatusCode int
	Reason     string
	Header     map[string][]string // keys are lower-case long header names
	Body       string
	Raw        string // the whole message, CRLFs intact
}

// Get returns the first value of the named header ("" if absent).
func (m *SIPMessage) Get(name string) string {
	if v := m.Header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// CSeqMethod returns the method part of the CSeq header.
func (m *SIPMessage) CSeqMethod() string {
	f := strings.Fields(m.Get("CSeq"))
	if len(f) < 2 {
		return ""
	}
	return strings.ToUpper(f[1])
}

// transactionKey identifies a request or its responses (Call-ID + CSeq).
func (m *SIPMessage) transactionKey() string {
	return m.Get("Call-ID") + "|" + m.Get("CSeq")
}

const (
	traceStart = "\x1b[36;1m#"
	traceEnd   = "\x1b[;m"
)

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// stripANSI removes the colour escapes baresip puts around its output.
func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// traceParser splits baresip's output into SIP trace blocks and plain lines.
// A trace block is "ESC[36;1m#\n", "PROTO src -> dst\n", the raw message and
// "ESC[;m\n" (the body is not newline-terminated, so the end marker may
// follow text on the same line).
type traceParser struct {
	inBlock bool
	lines   []string
	onMsg   func(*SIPMessage)
	onLine  func(string)
}

func (p *traceParser) feed(line string) {
	if !p.inBlock {
		if strings.HasPrefix(line, traceStart) {
			p.inBlock, p.lines = true, p.lines[:0]
			return
		}
		p.onLine(strings.TrimRight(stripANSI(line), "\r\n"))
		return
	}
	if i := strings.Index(line, traceEnd); i >= 0 {
		p.lines = append(p.lines, line[:i])
		p.inBlock = false
		if m := parseTraceBlock(p.lines); m != nil {
			p.onMsg(m)
		}
		return
	}
	p.lines = append(p.lines, line)
}

// parseTraceBlock parses the lines of one trace block; nil if malformed.
func parseTraceBlock(lines []string) *SIPMessage {
	if len(lines) < 2 {
		return nil
	}
	m := &SIPMessage{}
	f := strings.Fields(lines[0])
	if len(f) == 4 && f[2] == "->" {
		m.Proto, m.Src, m.Dst = f[0], f[1], f[3]
	}
	if !parseSIP(m, strings.Join(lines[1:], "")) {
		return nil
	}
	return m
}

var compactHeaders = map[string]string{
	"i": "call-id", "f": "from", "t": "to", "m": "contact", "v": "via",
	"c": "content-type", "l": "content-length", "o": "event",
	"k": "supported", "s": "subject", "e": "content-encoding",
}

// parseSIP fills m from a raw SIP message; false if the start line is bad.
func parseSIP(m *SIPMessage, raw string) bool {
	m.Raw = raw
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	hlines := strings.Split(head, "\r\n")
	if !parseStartLine(m, hlines[0]) {
		return false
	}
	m.Header = map[string][]string{}
	for _, l := range hlines[1:] {
		name, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if long, ok := compactHeaders[name]; ok {
			name = long
		}
		m.Header[name] = append(m.Header[name], strings.TrimSpace(val))
	}
	if n, err := strconv.Atoi(m.Get("Content-Length")); err == nil && n >= 0 && n < len(body) {
		body = body[:n]
	}
	m.Body = body
	return true
}

func parseStartLine(m *SIPMessage, line string) bool {
	f := strings.SplitN(line, " ", 3)
	if len(f) < 3 {
		return false
	}
	if strings.HasPrefix(f[0], "SIP/") {
		code, err := strconv.Atoi(f[1])
		if err != nil {
			return false
		}
		m.StatusCode, m.Reason = code, f[2]
		return true
	}
	if !strings.HasPrefix(f[2], "SIP/") {
		return false
	}
	m.Method, m.RequestURI = strings.ToUpper(f[0]), f[1]
	return true
}

// aorKey reduces a name-addr or URI to lower-case "sip:user@host:port" for
// comparison: display name, angle brackets, parameters and headers dropped.
func aorKey(s string) string { return strings.ToLower(uriOf(s)) }
