package interop

import (
	"strconv"
	"strings"
)

// traced is one SIP message from parley-cli's --sip-trace output (stderr):
// a line "--- SIP send|recv PROTO from -> to ---", then what was written or
// read. One TCP read may hold several messages; they are split by
// Content-Length.
type traced struct {
	Dir, Proto string   // "send"/"recv", "UDP"/"TCP"
	Start      string   // request or status line
	Header     []string // "Name: value" lines, as written
	Body       string
}

// Get returns the first value of the named header ("" if absent).
func (m traced) Get(name string) string {
	for _, h := range m.Header {
		k, v, ok := strings.Cut(h, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (m traced) IsRequest(method string) bool { return strings.HasPrefix(m.Start, method+" ") }

// Code is the status code of a response ("" for requests).
func (m traced) Code() string {
	if f := strings.Fields(m.Start); len(f) > 1 && f[0] == "SIP/2.0" {
		return f[1]
	}
	return ""
}

// parseTrace extracts the traced messages from a parley-cli stderr. A block
// ends at the next trace line, harness note or log line.
func parseTrace(stderr string) []traced {
	var out []traced
	lines := strings.SplitAfter(stderr, "\n")
	for i := 0; i < len(lines); i++ {
		rest, ok := strings.CutPrefix(lines[i], "--- SIP ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		var block strings.Builder
		for i+1 < len(lines) && !endsBlock(lines[i+1]) {
			i++
			block.WriteString(lines[i])
		}
		for _, m := range splitMessages(block.String()) {
			m.Dir, m.Proto = f[0], f[1]
			out = append(out, m)
		}
	}
	return out
}

func endsBlock(line string) bool {
	return strings.HasPrefix(line, "--- SIP ") || strings.HasPrefix(line, "[clitest]") ||
		strings.HasPrefix(line, "time=")
}

// splitMessages parses the SIP messages in one trace block (CRLF line ends,
// bodies sized by Content-Length).
func splitMessages(s string) []traced {
	var out []traced
	for range 100 {
		s = strings.TrimLeft(s, "\r\n")
		head, rest, ok := strings.Cut(s, "\r\n\r\n")
		if !ok || head == "" {
			break
		}
		hl := strings.Split(head, "\r\n")
		m := traced{Start: hl[0], Header: hl[1:]}
		n, _ := strconv.Atoi(m.Get("Content-Length"))
		n = min(max(n, 0), len(rest))
		m.Body, s = rest[:n], rest[n:]
		out = append(out, m)
	}
	return out
}
