package sipclient

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/bodyenc"
	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/imdn"
	"github.com/parley-im/parley/sipclient/iscomposing"
)

// imPeer is a peer speaking the IM dialect by hand on loopback: it writes
// MESSAGEs to Parley over one TCP connection and takes Parley's requests
// on a listener of its own, whose address is its AOR.
type imPeer struct {
	t   testing.TB
	c   *Client
	aor string // sip:peer@127.0.0.1:PORT
	ln  net.Listener
	out *rawConn // to Parley
	in  *rawConn // from Parley, accepted at the first request
}

func newIMPeer(t testing.TB, c *Client) *imPeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &imPeer{t: t, c: c, aor: "sip:peer@" + ln.Addr().String(), ln: ln, out: dialRaw(t, tcpAddr(c))}
}

func (p *imPeer) id() identity.ID { return pid(p.aor) }

// send writes a MESSAGE with body of type ct (and extra headers) and
// returns Parley's answer.
func (p *imPeer) send(callID, ct string, body []byte, extra ...string) *sip.Response {
	p.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "MESSAGE %s SIP/2.0\r\n", p.c.AOR())
	fmt.Fprintf(&b, "Via: SIP/2.0/TCP %s;branch=z9hG4bK%s\r\n", p.ln.Addr(), sip.GenerateTagN(10))
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: <%s>;tag=pt%s\r\nTo: <%s>\r\n", p.aor, callID, p.c.AOR())
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: 1 MESSAGE\r\nContent-Type: %s\r\n", callID, ct)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	return p.out.exchange(append([]byte(b.String()), body...))
}

// next reads Parley's next request to the peer and answers it code.
func (p *imPeer) next(code int) *sip.Request {
	p.t.Helper()
	if p.in == nil {
		p.ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		conn, err := p.ln.Accept()
		if err != nil {
			p.t.Fatal(err)
		}
		p.t.Cleanup(func() { conn.Close() })
		p.in = &rawConn{t: p.t, conn: conn, r: bufio.NewReader(conn)}
	}
	req := p.in.readRequest()
	res := sip.NewResponseFromRequest(req, code, map[int]string{200: "OK", 415: "Unsupported Media Type", 488: "Not Acceptable Here"}[code], nil)
	p.in.write([]byte(res.String()))
	return req
}

// cpimBody wraps text in CPIM from the peer to Parley, with an IMDN
// request for what (nil d: none).
func (p *imPeer) cpim(id, text string, d imdn.Disposition) []byte {
	p.t.Helper()
	m := cpim.New(cpim.Address{URI: p.aor}, cpim.Address{URI: p.c.AOR()}, "text/plain;charset=UTF-8", []byte(text))
	if id != "" {
		imdn.Request(m, id, d)
	}
	b, err := cpim.Encode(m)
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// golden reads a codec's golden file.
func golden(t testing.TB, codec, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(codec, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addressedTo rewrites a golden CPIM message's From and To to the
// peer's and Parley's addresses, keeping everything else as written.
func addressedTo(raw []byte, from, to string) []byte {
	lines := strings.Split(string(raw), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "From:"):
			lines[i] = "From: <" + from + ">\r"
		case strings.HasPrefix(l, "To:"):
			lines[i] = "To: <" + to + ">\r"
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// deflate compresses b as belle-sip does.
func deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	z, err := bodyenc.Encode(b, bodyenc.Deflate)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// notification reads a request Parley sent as an IMDN in CPIM.
func notification(t testing.TB, req *sip.Request) (*cpim.Message, *imdn.Notification) {
	t.Helper()
	if mediaType(req) != cpim.ContentType {
		t.Fatalf("notification not in CPIM:\n%s", req)
	}
	m, err := cpim.Decode(req.Body())
	if err != nil {
		t.Fatal(err)
	}
	if ct, _ := m.Field("Content-Type"); ct != imdn.ContentType {
		t.Fatalf("CPIM carries %q, not a notification:\n%s", ct, req.Body())
	}
	n, err := imdn.Decode(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	return m, n
}

// indication reads a request Parley sent as an is-composing.
func indication(t testing.TB, req *sip.Request) *iscomposing.Indication {
	t.Helper()
	if mediaType(req) != iscomposing.ContentType {
		t.Fatalf("not an is-composing:\n%s", req)
	}
	in, err := iscomposing.Decode(req.Body())
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func isTyping(active bool) func(Event) bool {
	return func(e Event) bool { tc, ok := e.(TypingChanged); return ok && tc.Active == active }
}

func hasStatus(st history.State) func(Event) bool {
	return func(e Event) bool { ms, ok := e.(MessageStatus); return ok && ms.Status == st }
}

// caps reads what c's history remembers of peer.
func storedCaps(t testing.TB, c *Client, peer identity.ID) history.Caps {
	t.Helper()
	st, _ := c.pager.store.get()
	caps, err := st.PeerCaps(context.Background(), peer)
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

func bodyencEncode(coding string, b []byte) ([]byte, error) { return bodyenc.Encode(b, coding) }
