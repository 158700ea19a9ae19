package kamailio

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// waitBound bounds every wait for a SIP message; it is a safety net, not
// a timing assertion.
const waitBound = 10 * time.Second

// ua is a hand-written SIP user agent with one transport to the server.
// Incoming requests (NOTIFY, MESSAGE) are answered 200 at once and queued.
type ua struct {
	t          testing.TB
	user, pass string
	domain     string
	network    string // "udp", "tcp" or "tls"
	server     string
	pc         net.PacketConn
	sc         net.Conn
	local      string // our transport address, host:port
	contact    string // Contact URI we advertise
	requests   chan *sipMsg
	responses  chan *sipMsg
	closed     atomic.Bool // set by close: late writes (answers to a NOTIFY racing the test's end) are not errors
}

// newUA opens a transport to srv. contactPort, if not 0, is advertised in
// Contact instead of the real local port (to prove the server answers on
// the connection, not by dialing the contact).
func newUA(t testing.TB, srv *Server, network, user, pass string, contactPort int) *ua {
	t.Helper()
	u := &ua{t: t, user: user, pass: pass, domain: srv.Domain(), network: network,
		requests: make(chan *sipMsg, 64), responses: make(chan *sipMsg, 64)}
	var err error
	switch network {
	case "udp":
		u.server = srv.UDPAddr()
		u.pc, err = net.ListenPacket("udp", "127.0.0.1:0")
	case "tcp":
		u.server = srv.TCPAddr()
		u.sc, err = net.DialTimeout("tcp", u.server, waitBound)
	case "tls":
		u.server = srv.TLSAddr()
		u.sc, err = dialTLS(srv)
	}
	if err != nil {
		t.Fatalf("%s: open %s: %v", user, network, err)
	}
	if u.pc != nil {
		u.local = u.pc.LocalAddr().String()
		go u.readPackets()
	} else {
		u.local = u.sc.LocalAddr().String()
		go u.readStream()
	}
	t.Cleanup(u.close)
	u.contact = u.contactURI(contactPort)
	return u
}

func dialTLS(srv *Server) (net.Conn, error) {
	pool, err := srv.CAPool()
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: waitBound}
	return tls.DialWithDialer(d, "tcp", srv.TLSAddr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
}

func (u *ua) contactURI(port int) string {
	host, p, _ := net.SplitHostPort(u.local)
	if port != 0 {
		p = strconv.Itoa(port)
	}
	uri := "sip:" + u.user + "@" + net.JoinHostPort(host, p)
	if u.network != "udp" {
		uri += ";transport=" + u.network
	}
	return uri
}

func (u *ua) close() {
	u.closed.Store(true)
	if u.pc != nil {
		u.pc.Close()
	}
	if u.sc != nil {
		u.sc.Close()
	}
}

func (u *ua) readPackets() {
	buf := make([]byte, 65535)
	for {
		n, from, err := u.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if m, err := parseDatagram(buf[:n]); err == nil {
			u.dispatch(m, from)
		}
	}
}

func (u *ua) readStream() {
	r := bufio.NewReader(u.sc)
	for {
		m, err := readMsg(r)
		if err != nil {
			return
		}
		u.dispatch(m, nil)
	}
}

func (u *ua) dispatch(m *sipMsg, from net.Addr) {
	if m.isResponse() {
		u.responses <- m
		return
	}
	if m.method() != "ACK" {
		u.write(reply(m, 200, "OK"), from)
	}
	u.requests <- m
}

func (u *ua) write(raw string, to net.Addr) {
	var err error
	if u.pc != nil {
		if to == nil {
			to, err = net.ResolveUDPAddr("udp", u.server)
		}
		if err == nil {
			_, err = u.pc.WriteTo([]byte(raw), to)
		}
	} else {
		_, err = u.sc.Write([]byte(raw))
	}
	if err != nil && !u.closed.Load() {
		u.t.Errorf("%s: write: %v", u.user, err)
	}
}

// call describes one request; the zero values mean "the usual".
type call struct {
	method  string
	ruri    string   // default sip:<user>@<domain>
	to      string   // To URI; default ruri
	headers []string // extra "Name: value" lines
	ctype   string
	body    string
	pass    string // password to answer challenges with; default u.pass
	noAuth  bool   // return the challenge instead of answering it
	callID  string
	cseq    int
}

type result struct {
	challenge *sipMsg // the 401/407, if one came
	final     *sipMsg
	callID    string
	fromTag   string
}

// do sends c, answers one 401/407 challenge, and returns the final response.
func (u *ua) do(c call) result {
	u.t.Helper()
	if c.ruri == "" {
		c.ruri = "sip:" + u.user + "@" + u.domain
	}
	if c.to == "" {
		c.to = c.ruri
	}
	if c.callID == "" {
		c.callID = randHex(8) + "@parley.test"
	}
	if c.cseq == 0 {
		c.cseq = 1
	}
	res := result{callID: c.callID, fromTag: randHex(4)}
	res.final = u.transact(c, res.fromTag, "")
	code := res.final.status()
	if (code != 401 && code != 407) || c.noAuth {
		return res
	}
	res.challenge = res.final
	name, hdr := "WWW-Authenticate", "Authorization"
	if code == 407 {
		name, hdr = "Proxy-Authenticate", "Proxy-Authorization"
	}
	pass := c.pass
	if pass == "" {
		pass = u.pass
	}
	auth := hdr + ": " + digestResponse(res.challenge.get(name), c.method, c.ruri, u.user, pass)
	c.cseq++
	res.final = u.transact(c, res.fromTag, auth)
	return res
}

func (u *ua) transact(c call, fromTag, auth string) *sipMsg {
	u.t.Helper()
	branch := "z9hG4bK" + randHex(8)
	u.write(u.build(c, fromTag, branch, auth), nil)
	deadline := time.After(waitBound)
	for {
		select {
		case m := <-u.responses:
			if n, _ := m.cseq(); m.get("Call-ID") != c.callID || n != c.cseq || m.status() < 200 {
				continue
			}
			return m
		case <-deadline:
			u.t.Fatalf("%s: no final response to %s %s", u.user, c.method, c.ruri)
			return nil
		}
	}
}

func (u *ua) build(c call, fromTag, branch, auth string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", c.method, c.ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s;branch=%s;rport\r\n", strings.ToUpper(u.network), u.local, branch)
	b.WriteString("Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=%s\r\n", u.user, u.domain, fromTag)
	fmt.Fprintf(&b, "To: <%s>\r\n", c.to)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d %s\r\n", c.callID, c.cseq, c.method)
	fmt.Fprintf(&b, "Contact: <%s>\r\n", u.contact)
	b.WriteString("User-Agent: parley-kamailio-selftest\r\n")
	for _, h := range c.headers {
		b.WriteString(h + "\r\n")
	}
	if auth != "" {
		b.WriteString(auth + "\r\n")
	}
	if c.body != "" {
		b.WriteString("Content-Type: " + c.ctype + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(c.body), c.body)
	return b.String()
}

// register binds u's contact for expires seconds and wants a 200.
func (u *ua) register(expires int) result {
	u.t.Helper()
	res := u.do(call{method: "REGISTER", ruri: "sip:" + u.domain, to: "sip:" + u.user + "@" + u.domain,
		headers: []string{"Expires: " + strconv.Itoa(expires)}})
	if res.final.status() != 200 {
		u.t.Fatalf("%s: REGISTER: %s", u.user, res.final.first)
	}
	return res
}

// next waits for the next incoming request of method.
func (u *ua) next(method string) *sipMsg {
	u.t.Helper()
	deadline := time.After(waitBound)
	for {
		select {
		case m := <-u.requests:
			if m.method() == method {
				return m
			}
		case <-deadline:
			u.t.Fatalf("%s: no %s arrived", u.user, method)
			return nil
		}
	}
}
