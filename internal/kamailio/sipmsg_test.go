package kamailio

// A minimal SIP message codec and transport for the self-tests: just
// enough RFC 3261 to drive Kamailio by hand over UDP, TCP and TLS.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

type header struct{ name, value string }

type sipMsg struct {
	first string // request or status line
	hdrs  []header
	body  string
}

var compact = map[string]string{
	"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact",
	"l": "Content-Length", "c": "Content-Type", "o": "Event", "k": "Supported",
}

func canonical(name string) string {
	if long, ok := compact[strings.ToLower(name)]; ok {
		return long
	}
	if strings.EqualFold(name, "Call-ID") {
		return "Call-ID"
	}
	if strings.EqualFold(name, "SIP-ETag") {
		return "SIP-ETag"
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// readMsg reads one message from a stream (or a datagram's reader).
func readMsg(r *bufio.Reader) (*sipMsg, error) {
	m := &sipMsg{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if m.first == "" {
			if line == "" { // keepalive CRLFs between messages
				continue
			}
			m.first = line
			continue
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("bad header line %q", line)
		}
		m.hdrs = append(m.hdrs, header{canonical(strings.TrimSpace(name)), strings.TrimSpace(value)})
	}
	n, _ := strconv.Atoi(m.get("Content-Length"))
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	m.body = string(body)
	return m, nil
}

func parseDatagram(b []byte) (*sipMsg, error) {
	return readMsg(bufio.NewReader(bytes.NewReader(b)))
}

func (m *sipMsg) get(name string) string {
	name = canonical(name)
	for _, h := range m.hdrs {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

func (m *sipMsg) all(name string) []string {
	name = canonical(name)
	var out []string
	for _, h := range m.hdrs {
		if h.name == name {
			out = append(out, h.value)
		}
	}
	return out
}

func (m *sipMsg) isResponse() bool { return strings.HasPrefix(m.first, "SIP/2.0 ") }

func (m *sipMsg) status() int {
	if !m.isResponse() {
		return 0
	}
	code, _ := strconv.Atoi(strings.Fields(m.first)[1])
	return code
}

func (m *sipMsg) method() string {
	if m.isResponse() {
		return ""
	}
	return strings.Fields(m.first)[0]
}

// cseq returns the CSeq number and method.
func (m *sipMsg) cseq() (int, string) {
	f := strings.Fields(m.get("CSeq"))
	if len(f) != 2 {
		return 0, ""
	}
	n, _ := strconv.Atoi(f[0])
	return n, f[1]
}

func (m *sipMsg) String() string {
	var b strings.Builder
	b.WriteString(m.first + "\r\n")
	for _, h := range m.hdrs {
		b.WriteString(h.name + ": " + h.value + "\r\n")
	}
	b.WriteString("\r\n" + m.body)
	return b.String()
}

// reply builds the response to request m: Via, From, Call-ID and CSeq
// copied, To with a tag added.
func reply(m *sipMsg, code int, reason string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, v := range m.all("Via") {
		b.WriteString("Via: " + v + "\r\n")
	}
	to := m.get("To")
	if !strings.Contains(to, ";tag=") {
		to += ";tag=" + randHex(4)
	}
	b.WriteString("From: " + m.get("From") + "\r\nTo: " + to + "\r\n")
	b.WriteString("Call-ID: " + m.get("Call-ID") + "\r\nCSeq: " + m.get("CSeq") + "\r\n")
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// param returns the value of ;name= in a header value ("" if absent).
func param(value, name string) string {
	for _, p := range strings.Split(value, ";")[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
