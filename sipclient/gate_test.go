package sipclient

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// edit changes one raw request: old is replaced by new once ("" deletes
// a line that starts with old).
type edit struct{ old, new string }

func editRequest(raw []byte, edits ...edit) []byte {
	s := string(raw)
	for _, e := range edits {
		if e.new == "" {
			i := strings.Index(s, e.old)
			j := i + strings.Index(s[i:], "\r\n") + 2
			s = s[:i] + s[j:]
			continue
		}
		s = strings.Replace(s, e.old, e.new, 1)
	}
	return []byte(s)
}

type gateCase struct {
	name   string
	method string
	edits  []edit
	want   string // verdict: "pass", "drop" or "code reason"
}

var gateCases = []gateCase{
	{"message ok", "MESSAGE", nil, "pass"},
	{"subscribe ok", "SUBSCRIBE", []edit{{"CSeq:", "Event: presence\r\nCSeq:"}}, "pass"},
	{"message cseq says notify", "MESSAGE", []edit{{"CSeq: 1 MESSAGE", "CSeq: 1 NOTIFY"}}, "400 CSeq Method Does Not Match"},
	{"subscribe cseq says message", "SUBSCRIBE", []edit{{"CSeq: 1 SUBSCRIBE", "CSeq: 1 MESSAGE"}}, "400 CSeq Method Does Not Match"},
	{"notify cseq says subscribe", "NOTIFY", []edit{{"CSeq: 1 NOTIFY", "CSeq: 1 SUBSCRIBE"}}, "400 CSeq Method Does Not Match"},
	{"options cseq says invite", "OPTIONS", []edit{{"CSeq: 1 OPTIONS", "CSeq: 1 INVITE"}}, "400 CSeq Method Does Not Match"},
	{"cseq method in lower case", "MESSAGE", []edit{{"CSeq: 1 MESSAGE", "CSeq: 1 message"}}, "pass"},
	{"message without call-id", "MESSAGE", []edit{{"Call-ID:", ""}}, "400 Missing Call-ID Header"},
	{"notify without from", "NOTIFY", []edit{{"From:", ""}}, "400 Missing From Header"},
	{"subscribe without to", "SUBSCRIBE", []edit{{"To:", ""}}, "400 Missing To Header"},
	{"message without cseq", "MESSAGE", []edit{{"CSeq:", ""}}, "400 Missing CSeq Header"},
	{"no max-forwards is fine", "MESSAGE", []edit{{"Max-Forwards:", ""}}, "pass"},
	{"max-forwards 0 is fine", "OPTIONS", []edit{{"Max-Forwards: 70", "Max-Forwards: 0"}}, "pass"},
	{"two max-forwards", "MESSAGE", []edit{{"Max-Forwards: 70", "Max-Forwards: 70\r\nMax-Forwards: 69"}}, "400 Multiple Max-Forwards Headers"},
	{"two call-ids", "MESSAGE", []edit{{"CSeq:", "Call-ID: other\r\nCSeq:"}}, "400 Multiple Call-ID Headers"},
	{"two froms", "NOTIFY", []edit{{"CSeq:", "From: <sip:x@y>;tag=2\r\nCSeq:"}}, "400 Multiple From Headers"},
	{"cseq 2**31", "MESSAGE", []edit{{"CSeq: 1 ", "CSeq: 2147483648 "}}, "drop-parse"},
	{"cseq 2**31-1", "MESSAGE", []edit{{"CSeq: 1 ", "CSeq: 2147483647 "}}, "pass"},
	{"version 3.0", "MESSAGE", []edit{{"SIP/2.0\r\n", "SIP/3.0\r\n"}}, "505 Version Not Supported"},
	{"tel request-uri", "MESSAGE", []edit{{"MESSAGE sip:bob@127.0.0.1", "MESSAGE tel:+15551234"}}, "416 Unsupported URI Scheme"},
	{"im request-uri", "OPTIONS", []edit{{"OPTIONS sip:bob@127.0.0.1", "OPTIONS im:bob@example.com"}}, "416 Unsupported URI Scheme"},
	{"sips request-uri", "OPTIONS", []edit{{"OPTIONS sip:", "OPTIONS sips:"}}, "pass"},
	{"headers in request-uri", "MESSAGE", []edit{{"MESSAGE sip:bob@127.0.0.1", "MESSAGE sip:bob@127.0.0.1?Subject=hi"}}, "400 Headers Not Allowed In Request-URI"},
	{"require eventlist", "SUBSCRIBE", []edit{{"CSeq:", "Event: presence\r\nRequire: eventlist\r\nCSeq:"}}, "420 Bad Extension"},
	{"notify of a list requires eventlist", "NOTIFY", []edit{{"CSeq:", "Event: presence\r\nSubscription-State: active\r\nRequire: eventlist\r\nCSeq:"}}, "pass"},
	{"require two", "MESSAGE", []edit{{"CSeq:", "Require: foo, bar\r\nCSeq:"}}, "420 Bad Extension"},
	{"proxy-require is for proxies", "MESSAGE", []edit{{"CSeq:", "Proxy-Require: foo\r\nCSeq:"}}, "pass"},
	{"ack with require passes", "ACK", []edit{{"CSeq:", "Require: foo\r\nCSeq:"}}, "pass"},
	{"ack with bad cseq is dropped", "ACK", []edit{{"CSeq: 1 ACK", "CSeq: 1 INVITE"}}, "drop"},
	{"ack without call-id is dropped", "ACK", []edit{{"Call-ID:", ""}}, "drop"},
	{"content-length larger than body", "MESSAGE", []edit{{"Content-Length: 2", "Content-Length: 20"}}, "drop-parse"},
	{"two content-lengths", "MESSAGE", []edit{{"Content-Length: 2", "Content-Length: 2\r\nContent-Length: 2"}}, "400 Multiple Content-Length Headers"},
	{"two content-types", "MESSAGE", []edit{{"Content-Length:", "Content-Type: text/plain\r\nContent-Length:"}}, "400 Multiple Content-Type Headers"},
	{"unknown method", "INFO", nil, "pass"},
}

// gateRequest builds the case's request from rawRequest: Via over UDP,
// body "hi" with a Content-Type for MESSAGE.
func gateRequest(tc gateCase) []byte {
	var extra []string
	body := ""
	if tc.method == "MESSAGE" {
		extra, body = []string{"Content-Type: text/plain"}, "hi"
	}
	raw := rawRequest(tc.method, "sip:bob@127.0.0.1", extra, body)
	return editRequest(raw, tc.edits...)
}

func TestCheckRequest(t *testing.T) {
	for _, tc := range gateCases {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := newParser().ParseSIP(gateRequest(tc))
			if tc.want == "drop-parse" {
				if err == nil {
					t.Fatalf("parsed; sipgo used to refuse this before the gate")
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v\n%s", err, gateRequest(tc))
			}
			v, ok := checkRequest(msg.(*sip.Request))
			got := "pass"
			if !ok {
				got = v.String()
			}
			if got != tc.want {
				t.Errorf("verdict %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckRequestUnsupportedHeader(t *testing.T) {
	raw := editRequest(rawRequest("MESSAGE", "sip:bob@127.0.0.1", nil, ""), edit{"CSeq:", "Require: foo, eventlist\r\nRequire: bar\r\nCSeq:"})
	v, ok := checkRequest(parse(t, string(raw)).(*sip.Request))
	if ok || len(v.hdrs) != 2 || v.hdrs[0] != "Unsupported" || v.hdrs[1] != "foo, eventlist, bar" {
		t.Errorf("verdict %+v", v)
	}
}

// The gate answers on the wire, over TCP, before any role: before it
// existed, a MESSAGE whose CSeq named NOTIFY was delivered and answered
// 200, and so were its siblings here.
func TestGateOnTheWire(t *testing.T) {
	c, rec := newTestClient(t, "bob", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	for _, tc := range gateCases {
		if tc.want == "drop-parse" || tc.method == "ACK" || (tc.want == "pass" && tc.method == "SUBSCRIBE") {
			continue // not answered, or answered with a NOTIFY too
		}
		res := rc.exchange(gateRequest(tc))
		code := strings.Fields(tc.want)[0]
		if tc.want == "pass" {
			if res.StatusCode >= 400 && res.StatusCode != 405 && res.StatusCode != 489 && res.StatusCode != 481 {
				t.Errorf("%s: answered %d %s, want it to pass the gate", tc.name, res.StatusCode, res.Reason)
			}
			continue
		}
		if got := res.StartLine(); !strings.HasPrefix(got, "SIP/2.0 "+code+" ") {
			t.Errorf("%s: answered %q, want %s", tc.name, got, tc.want)
		}
		if code == "420" && headerValue(res, "Unsupported") == "" {
			t.Errorf("%s: 420 without Unsupported", tc.name)
		}
	}
	// Only the MESSAGEs that passed were delivered.
	passed := 0
	for _, tc := range gateCases {
		if tc.method == "MESSAGE" && tc.want == "pass" {
			passed++
		}
	}
	isMsg := func(e Event) bool { _, ok := e.(MessageReceived); return ok }
	for range 100 { // each is announced just after its answer
		if rec.count(isMsg) >= passed {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := rec.count(isMsg); n != passed {
		t.Errorf("%d messages delivered, want %d", n, passed)
	}
}
