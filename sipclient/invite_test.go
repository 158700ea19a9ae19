package sipclient

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// rawInvite is an INVITE from sip:caller@peer.example with an SDP offer,
// with fixed Call-ID, From tag, CSeq and branch so it can be sent again.
func rawInvite(target, transport, sentBy, callID, tag, branch string, cseq int, extra ...string) []byte {
	const sdp = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	var b strings.Builder
	fmt.Fprintf(&b, "INVITE %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=z9hG4bK%s\r\n", target, transport, sentBy, branch)
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: \"The Caller\" <sip:caller@peer.example>;tag=%s\r\nTo: <%s>\r\n", tag, target)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d INVITE\r\nContact: <sip:caller@%s>\r\n", callID, cseq, sentBy)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	return []byte(b.String())
}

// rawFollowUp is the ACK or CANCEL for inv (RFC 3261 9.1, 17.1.1.3):
// same Request-URI, Via, From, To (the ACK takes the answer's To), Call-ID
// and CSeq number.
func rawFollowUp(inv *sip.Request, method sip.RequestMethod, to string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n", method, inv.Recipient.String(), inv.Via().Value())
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\n", inv.From().Value(), to, inv.CallID().Value())
	fmt.Fprintf(&b, "CSeq: %d %s\r\nContent-Length: 0\r\n\r\n", inv.CSeq().SeqNo, method)
	return []byte(b.String())
}

func isMissedCall(e Event) bool { _, ok := e.(MissedCall); return ok }

// An INVITE over TCP gets 480 at once, with our reason, a To tag, the
// Warning and Allow; the missed call is in the history (a message row)
// before it is announced, with the row's ID; the ACK is absorbed, and a
// CANCEL after the answer finds no transaction (TCP ends it with the
// answer) and gets 481.
func TestInviteDeclinedAndKept(t *testing.T) {
	c, rec := newTestClient(t, "callee", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	raw := rawInvite(c.AOR(), "TCP", "peer.example:5099", "call-1", "ctag", "inv1", 1)
	res := rc.exchange(raw)
	if res.StatusCode != 480 || res.Reason != "Parley Takes No Calls" || tagOf(res.To().Params) == "" {
		t.Fatalf("INVITE answered:\n%s", res)
	}
	if w := headerValue(res, "Warning"); !strings.HasPrefix(w, "399 127.0.0.1:") || !strings.HasSuffix(w, `"Parley takes no calls; send a message instead"`) {
		t.Errorf("Warning %q", w)
	}
	if a := headerValue(res, "Allow"); !strings.Contains(a, "MESSAGE") || strings.Contains(a, "INVITE") {
		t.Errorf("Allow %q", a)
	}
	m := rec.wait(t, "missed call", isMissedCall).(MissedCall)
	if m.Peer != pid("sip:caller@peer.example") || m.From != "sip:caller@peer.example" || m.FromName != "The Caller" || m.At.IsZero() {
		t.Errorf("event %+v", m)
	}
	h := wantHistory(t, c, "sip:caller@peer.example", "in received ")
	if h[0].ID != m.ID || h[0].ContentType != ContentTypeMissedCall {
		t.Errorf("history row %+v, event ID %s", h[0], m.ID)
	}

	inv := parse(t, string(raw)).(*sip.Request)
	rc.write(rawFollowUp(inv, sip.ACK, res.To().Value()))
	if res := rc.exchange(rawFollowUp(inv, sip.CANCEL, inv.To().Value())); res.StatusCode != 481 {
		t.Errorf("late CANCEL answered %d %s", res.StatusCode, res.Reason)
	}
	if n := rec.count(isMissedCall); n != 1 {
		t.Errorf("%d missed calls announced", n)
	}
}

// Over UDP the INVITE's server transaction outlives the 480: the 480 is
// sent again until the ACK, a CANCEL that comes meanwhile gets 200 from
// sipgo (RFC 3261 9.2: it matched a transaction) and changes nothing, and
// a retransmitted INVITE gets the same 480 without a second missed call.
func TestInviteOverUDPCancelAfterAnswer(t *testing.T) {
	c, rec := newTestClient(t, "callee", "udp")
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	peer := udpPeer{t: t, conn: conn, to: c.listeners[0]}
	raw := rawInvite(c.AOR(), "UDP", conn.LocalAddr().String(), "call-udp", "utag", "udp1", 7)
	inv := parse(t, string(raw)).(*sip.Request)

	peer.send(raw)
	first := peer.response()
	peer.send(raw) // a retransmission: the transaction answers it
	again := peer.response()
	if first.StatusCode != 480 || again.StatusCode != 480 || tagOf(again.To().Params) != tagOf(first.To().Params) {
		t.Fatalf("INVITE answered %d then %d (tags %q, %q)", first.StatusCode, again.StatusCode,
			tagOf(first.To().Params), tagOf(again.To().Params))
	}
	peer.send(rawFollowUp(inv, sip.CANCEL, inv.To().Value()))
	if res := peer.responseTo(sip.CANCEL); res.StatusCode != 200 {
		t.Errorf("CANCEL after the 480 answered %d", res.StatusCode)
	}
	peer.send(rawFollowUp(inv, sip.ACK, first.To().Value()))
	rec.wait(t, "missed call", isMissedCall)
	time.Sleep(100 * time.Millisecond)
	if n := rec.count(isMissedCall); n != 1 {
		t.Errorf("%d missed calls announced", n)
	}
	wantHistory(t, c, "sip:caller@peer.example", "in received ")
}

// udpPeer speaks raw SIP over UDP to a client.
type udpPeer struct {
	t    *testing.T
	conn net.PacketConn
	to   net.Addr
}

func (p udpPeer) send(b []byte) {
	p.t.Helper()
	if _, err := p.conn.WriteTo(b, p.to); err != nil {
		p.t.Fatal(err)
	}
}

func (p udpPeer) response() *sip.Response {
	p.t.Helper()
	buf := make([]byte, 65535)
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := p.conn.ReadFrom(buf)
	if err != nil {
		p.t.Fatal(err)
	}
	res, ok := parse(p.t, string(buf[:n])).(*sip.Response)
	if !ok {
		p.t.Fatalf("not a response:\n%s", buf[:n])
	}
	return res
}

// responseTo skips answers to other methods (the 480 sent again).
func (p udpPeer) responseTo(method sip.RequestMethod) *sip.Response {
	p.t.Helper()
	for {
		if res := p.response(); res.CSeq().MethodName == method {
			return res
		}
	}
}

// Requests of a dialog Parley does not have get 481: a re-INVITE (To
// tag), a BYE, a CANCEL that matches nothing. No INVITE gets 405, and a
// body that offers no session gets 415.
func TestInviteDialogRequestsAndBodies(t *testing.T) {
	c, rec := newTestClient(t, "callee", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	cases := []struct {
		name string
		raw  []byte
		code int
	}{
		{"re-INVITE", rawRequest("INVITE", c.AOR(), nil, ""), 0}, // To tag added below
		{"BYE", rawRequest("BYE", c.AOR(), nil, ""), 481},
		{"CANCEL", rawRequest("CANCEL", c.AOR(), nil, ""), 481},
		{"INVITE without a body", rawRequest("INVITE", c.AOR(), nil, ""), 480},
		{"INVITE with HTML", rawRequest("INVITE", c.AOR(), []string{"Content-Type: text/html"}, "<p>hi</p>"), 415},
	}
	cases[0].raw = []byte(strings.Replace(string(cases[0].raw), "To: <"+c.AOR()+">", "To: <"+c.AOR()+">;tag=ours", 1))
	cases[0].code = 481
	for _, tc := range cases {
		res := rc.exchange(tc.raw)
		if res.StatusCode != tc.code {
			t.Errorf("%s answered %d %s, want %d", tc.name, res.StatusCode, res.Reason, tc.code)
		}
		if tc.code == 415 && headerValue(res, "Accept") != "application/sdp" {
			t.Errorf("415 Accept %q", headerValue(res, "Accept"))
		}
	}
	rec.wait(t, "the body-less INVITE's missed call", isMissedCall)
	if n := rec.count(isMissedCall); n != 1 {
		t.Errorf("%d missed calls, want 1 (the body-less INVITE)", n)
	}
}

// A blocked caller gets the same 480 and leaves no trace; a stranger's
// calls are kept up to the stranger limit, like messages; a contact's
// always. The fake seam shows what was answered and emitted.
func TestInviteScreenedLikeMessages(t *testing.T) {
	blocked := func(id identity.ID) bool { return id.User() == "mallory" }
	contact := func(id identity.ID) bool { return id.User() == "friend" }
	p, ua := newFakePager(t, nil, WithBook(funcBook{blocked: blocked, contact: contact}), WithStrangerLimit(1, 10))
	d := newCallDesk(ua, p, "127.0.0.1:5060", p.log)
	for i, who := range []string{"mallory", "stranger", "stranger", "friend", "friend"} {
		d.onInvite(invite(who, fmt.Sprintf("call-%d", i)), nil)
	}
	if got := codes(ua); !slices.Equal(got, []int{480, 480, 480, 480, 480}) {
		t.Fatalf("answered %v, want 480 each time", got)
	}
	var from []string
	for _, e := range ua.emitted() {
		if m, ok := e.(MissedCall); ok {
			from = append(from, m.Peer.User())
		}
	}
	if !slices.Equal(from, []string{"stranger", "friend", "friend"}) {
		t.Errorf("missed calls from %q", from)
	}
	for who, n := range map[string]int{"mallory": 0, "stranger": 1, "friend": 2} {
		h, err := p.history(context.Background(), pid("sip:"+who+"@peer.example"), 0, 10)
		if err != nil || len(h) != n {
			t.Errorf("history with %s: %d rows, %v; want %d", who, len(h), err, n)
		}
		for _, m := range h {
			if m.ContentType != ContentTypeMissedCall || m.Text != "" || m.Direction != history.In {
				t.Errorf("row %+v", m)
			}
		}
	}
}

// invite is an INVITE from sip:who@peer.example as the call desk gets it.
func invite(who, callID string) *sip.Request {
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"})
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: who, Host: "peer.example"}, Params: sip.NewParams()}
	from.Params.Add("tag", "peer-tag")
	id := sip.CallIDHeader(callID)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: req.Recipient, Params: sip.NewParams()})
	req.AppendHeader(&id)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	return req
}
