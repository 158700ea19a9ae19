package baresip

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stubPresentity is a minimal UDP presentity: it accepts one SUBSCRIBE and
// sends NOTIFYs with chosen bodies, to pin down how baresip 1.0 maps PIDF
// to a contact status.
type stubPresentity struct {
	t    *testing.T
	conn *net.UDPConn
	aor  string
	sub  *SIPMessage
	peer *net.UDPAddr
	cseq int
}

func newStubPresentity(t *testing.T) *stubPresentity {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &stubPresentity{t: t, conn: c, aor: "sip:stub@" + c.LocalAddr().String()}
}

func (s *stubPresentity) read(deadline time.Time) (*SIPMessage, *net.UDPAddr, error) {
	buf := make([]byte, 65536)
	if err := s.conn.SetReadDeadline(deadline); err != nil {
		return nil, nil, err
	}
	n, from, err := s.conn.ReadFromUDP(buf)
	if err != nil {
		return nil, nil, err
	}
	m := &SIPMessage{}
	if !parseSIP(m, string(buf[:n])) {
		return nil, nil, fmt.Errorf("unparsable datagram %q", buf[:n])
	}
	return m, from, nil
}

func (s *stubPresentity) send(to *net.UDPAddr, lines []string, body string) {
	msg := strings.Join(lines, "\r\n") + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	if _, err := s.conn.WriteToUDP([]byte(msg), to); err != nil {
		s.t.Fatal(err)
	}
}

// acceptSubscribe answers the first SUBSCRIBE with 200 OK.
func (s *stubPresentity) acceptSubscribe(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for i := 0; i < 50 && s.sub == nil; i++ {
		m, from, err := s.read(deadline)
		if err != nil {
			s.t.Fatalf("stub: waiting for SUBSCRIBE: %v", err)
		}
		if m.Method != "SUBSCRIBE" {
			continue
		}
		s.sub, s.peer = m, from
		s.send(from, []string{"SIP/2.0 200 OK", "Via: " + m.Get("Via"), "From: " + m.Get("From"),
			"To: " + m.Get("To") + ";tag=stubtag", "Call-ID: " + m.Get("Call-ID"), "CSeq: " + m.Get("CSeq"),
			"Contact: <" + s.aor + ">", "Expires: 600"}, "")
	}
	if s.sub == nil {
		s.t.Fatal("stub: no SUBSCRIBE")
	}
}

// notify sends a NOTIFY in the subscription and returns the response code.
func (s *stubPresentity) notify(ctype, body string) int {
	s.cseq++
	lines := []string{"NOTIFY " + uriOf(s.sub.Get("Contact")) + " SIP/2.0",
		"Via: SIP/2.0/UDP " + s.conn.LocalAddr().String() + ";branch=z9hG4bKstub" + strconv.Itoa(s.cseq) + ";rport",
		"Max-Forwards: 70", "From: <" + s.aor + ">;tag=stubtag", "To: " + s.sub.Get("From"),
		"Call-ID: " + s.sub.Get("Call-ID"), "CSeq: " + strconv.Itoa(s.cseq) + " NOTIFY",
		"Contact: <" + s.aor + ">", "Event: presence", "Subscription-State: active;expires=600"}
	if ctype != "" {
		lines = append(lines, "Content-Type: "+ctype)
	}
	s.send(s.peer, lines, body)
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < 50; i++ {
		m, _, err := s.read(deadline)
		if err != nil {
			s.t.Fatalf("stub: waiting for NOTIFY response: %v", err)
		}
		if m.StatusCode >= 200 && m.CSeqMethod() == "NOTIFY" && m.Get("CSeq") == strconv.Itoa(s.cseq)+" NOTIFY" {
			return m.StatusCode
		}
	}
	s.t.Fatal("stub: no NOTIFY response")
	return 0
}

func pidf(entity, basic, activity string) string {
	person := ""
	if activity != "" {
		person = `<dm:person id="p1"><rpid:activities>` + activity + `</rpid:activities></dm:person>`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
 xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="` + entity + `">
<tuple id="t1"><status><basic>` + basic + `</basic></status></tuple>` + person + `
</presence>`
}

// TestWatcherMapping records how baresip 1.0 shows a presentity's PIDF.
func TestWatcherMapping(t *testing.T) {
	stub := newStubPresentity(t)
	p := Start(t, Options{User: "watcher", Contacts: []string{stub.aor}})
	stub.acceptSubscribe(10 * time.Second)
	const ct = "application/pidf+xml"
	other := strings.Replace(pidf(stub.aor, "open", "<r:away/>"), `xmlns:rpid=`, `xmlns:r=`, 1)
	// want "" marks a NOTIFY baresip rejects (415) and ignores.
	cases := []struct{ name, ctype, body, want string }{
		{"open", ct, pidf(stub.aor, "open", ""), StatusOnline},
		{"away", ct, pidf(stub.aor, "open", "<rpid:away/>"), StatusOffline},
		{"open again", ct, pidf(stub.aor, "open", ""), StatusOnline},
		{"busy", ct, pidf(stub.aor, "open", "<rpid:busy/>"), StatusBusy},
		{"closed", ct, pidf(stub.aor, "closed", ""), StatusOffline},
		{"on-the-phone", ct, pidf(stub.aor, "open", "<rpid:on-the-phone/>"), StatusBusy},
		{"away, other prefix", ct, other, StatusOnline},
		{"closed", ct, pidf(stub.aor, "closed", ""), StatusOffline},
		{"charset param", ct + ";charset=UTF-8", pidf(stub.aor, "open", ""), ""},
		{"no body", "", "", StatusUnknown},
	}
	for _, c := range cases {
		code := stub.notify(c.ctype, c.body)
		got, err := p.Presence(stub.aor)
		mustNil(t, err)
		t.Logf("%-20s NOTIFY answered %d, baresip shows %s", c.name, code, got)
		switch {
		case c.want == "" && code != 415:
			t.Errorf("%s: NOTIFY answered %d, want 415", c.name, code)
		case c.want != "" && (code != 200 || got != c.want):
			t.Errorf("%s: NOTIFY answered %d, baresip shows %s; want 200, %s", c.name, code, got, c.want)
		}
	}
}

// subscribe sends a SUBSCRIBE from the stub (acting as watcher) and returns
// the final response and any NOTIFYs (answered 200) seen within a second
// after it.
func (s *stubPresentity) subscribe(ruri, event, callID string, expires int) (*SIPMessage, []*SIPMessage) {
	s.cseq++
	lines := []string{"SUBSCRIBE " + ruri + " SIP/2.0",
		"Via: SIP/2.0/UDP " + s.conn.LocalAddr().String() + ";branch=z9hG4bKsub" + strconv.Itoa(s.cseq) + ";rport",
		"Max-Forwards: 70", "From: <" + s.aor + ">;tag=watchtag", "To: <" + ruri + ">",
		"Call-ID: " + callID, "CSeq: " + strconv.Itoa(s.cseq) + " SUBSCRIBE",
		"Contact: <" + s.aor + ">", "Event: " + event, "Accept: application/pidf+xml",
		"Expires: " + strconv.Itoa(expires)}
	to, err := net.ResolveUDPAddr("udp", ruri[strings.IndexByte(ruri, '@')+1:])
	if err != nil {
		s.t.Fatal(err)
	}
	s.send(to, lines, "")
	return s.collect(to, time.Now().Add(time.Second))
}

func (s *stubPresentity) collect(to *net.UDPAddr, deadline time.Time) (*SIPMessage, []*SIPMessage) {
	var resp *SIPMessage
	var notifies []*SIPMessage
	for i := 0; i < 50; i++ {
		m, _, err := s.read(deadline)
		if err != nil {
			break
		}
		switch {
		case m.StatusCode >= 200 && m.CSeqMethod() == "SUBSCRIBE":
			resp = m
		case m.Method == "NOTIFY":
			notifies = append(notifies, m)
			s.send(to, []string{"SIP/2.0 200 OK", "Via: " + m.Get("Via"), "From: " + m.Get("From"),
				"To: " + m.Get("To"), "Call-ID: " + m.Get("Call-ID"), "CSeq: " + m.Get("CSeq")}, "")
		}
	}
	return resp, notifies
}

// TestPresentityAnswers records how baresip 1.0 answers a foreign watcher.
func TestPresentityAnswers(t *testing.T) {
	stub := newStubPresentity(t)
	p := Start(t, Options{User: "presentity"})
	to, err := net.ResolveUDPAddr("udp", p.ListenAddr())
	mustNil(t, err)

	resp, notifies := stub.subscribe(p.AOR(), "presence", "sub-1", 3600)
	if resp == nil || resp.StatusCode != 200 || len(notifies) != 1 {
		t.Fatalf("SUBSCRIBE: response %v, %d NOTIFYs", resp, len(notifies))
	}
	t.Logf("SUBSCRIBE Expires 3600 -> %d, Expires: %s; NOTIFY Subscription-State: %s",
		resp.StatusCode, resp.Get("Expires"), notifies[0].Get("Subscription-State"))
	if !strings.Contains(notifies[0].Body, "<basic>open</basic>") {
		t.Errorf("first NOTIFY body:\n%s", notifies[0].Body)
	}

	mustNil(t, p.SetStatus("offline"))
	_, notifies = stub.collect(to, time.Now().Add(time.Second))
	if len(notifies) != 1 || !strings.Contains(notifies[0].Body, "<basic>closed</basic>") {
		t.Errorf("after SetStatus(offline): %d NOTIFYs %v", len(notifies), notifies)
	}

	if resp, _ = stub.subscribe("sip:nobody@"+p.ListenAddr(), "presence", "sub-2", 600); resp == nil || resp.StatusCode != 404 {
		t.Errorf("SUBSCRIBE to unknown user -> %v, want 404", resp)
	}
	if resp, _ = stub.subscribe(p.AOR(), "dialog", "sub-3", 600); resp == nil || resp.StatusCode != 400 {
		t.Errorf("SUBSCRIBE Event: dialog -> %v, want 400 Bad Presence", resp)
	}
}
