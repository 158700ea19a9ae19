package sipclient

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// The datagrams sipgo cannot parse, and the status line Parley answers
// each with; "" means not answered.
var unparsedAnswers = map[string]string{
	"badinv01": "400 Malformed Via Header",
	"clerr":    "400 Content-Length Exceeds Body",
	"ncl":      "400 Malformed Content-Length Header",
	"scalar02": "400 Malformed CSeq Header",
	"quotbal":  "400 Malformed To Header",
	"ltgtruri": "400 Malformed Request-URI",
	"lwsruri":  "400 Malformed Request-Line",
	"lwsstart": "400 Malformed Request-Line",
	"trws":     "400 Malformed Request-Line",
	"badaspec": "400 Malformed To Header",
	"baddn":    "400 Header Not Terminated", // as distributed; with its empty line sipgo takes it
	"novelsc":  "416 Unsupported URI Scheme",
	"scalarlg": "", // responses
	"bigcode":  "",
}

func TestAnswerUnparsed(t *testing.T) {
	for name, want := range unparsedAnswers {
		data := tortureMessage(t, name)
		_, err := screenParser.ParseSIP(data)
		if err == nil {
			t.Errorf("%s parsed: the table is stale", name)
			continue
		}
		res, why := answerUnparsed(data, err)
		if want == "" {
			if res != nil {
				t.Errorf("%s answered %q", name, why)
			}
			continue
		}
		if why != want {
			t.Errorf("%s answered %q, want %q", name, why, want)
		}
		// The answer is itself a well-formed response to the request.
		m, perr := newParser().ParseSIP(res)
		if perr != nil && name != "badinv01" { // its Via is copied as sent
			t.Errorf("%s: answer does not parse: %v\n%s", name, perr, res)
			continue
		}
		if !strings.HasPrefix(string(res), "SIP/2.0 "+want+"\r\n") || !strings.Contains(string(res), name+".") {
			t.Errorf("%s: answer\n%s", name, res)
		}
		if r, ok := m.(*sip.Response); ok && perr == nil && (r.Via() == nil || r.CallID() == nil || r.CSeq() == nil && name != "scalar02") {
			t.Errorf("%s: answer lacks Via, CSeq or Call-ID\n%s", name, res)
		}
	}
}

func TestAnswerUnparsedDrops(t *testing.T) {
	cases := map[string]string{
		"an ACK":   "ACK <sip:a@b> SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 ACK\r\n\r\n",
		"no Via":   "MESSAGE <sip:a@b> SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n",
		"response": "SIP/2.0 99999 x\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n",
		"garbage":  "\x00\x01garbage datagram",
		"empty":    "",
	}
	for name, raw := range cases {
		if res, why := answerUnparsed([]byte(raw), sip.ErrParseEOF); res != nil {
			t.Errorf("%s answered %q", name, why)
		}
	}
}

func TestCheckRequestLine(t *testing.T) {
	cases := map[string]string{
		"OPTIONS sip:a@b SIP/2.0":     "0 ",
		"OPTIONS sip:a@b sip/2.0":     "0 ",
		"OPTIONS sips:a@b SIP/2.0":    "0 ",
		"OPTIONS sip:a@b SIP/2.1":     "505 Version Not Supported",
		"OPTIONS sip:a@b HTTP/1.1":    "400 Malformed Request-Line",
		"OPTIONS\tsip:a@b SIP/2.0":    "400 Malformed Request-Line",
		"OPTIONS sip:a@b":             "400 Malformed Request-Line",
		"OPTIONS a@b SIP/2.0":         "400 Malformed Request-URI",
		"OPTIONS 1x:a SIP/2.0":        "400 Malformed Request-URI",
		"OPTIONS tel:+1555 SIP/2.0":   "416 Unsupported URI Scheme",
		"OPTIONS a.b+c-d:x SIP/2.0":   "416 Unsupported URI Scheme",
		" OPTIONS sip:a@b SIP/2.0":    "400 Malformed Request-Line",
		"OPTIONS sip:a@b SIP/2.0 ":    "400 Malformed Request-Line",
		"OPTIONS <sip:a@b> SIP/2.0":   "400 Malformed Request-URI",
		"OPTIONS sip:a@b;  SIP/2.0":   "400 Malformed Request-Line",
		"OPTIONS sip:a@b SIP/2.0\x00": "400 Malformed Request-Line",
		"OPTIONS sip:a@b SIP/7.0":     "505 Version Not Supported",
		"OPTIONS sip:a@b SIP/.0":      "400 Malformed Request-Line",
	}
	for line, want := range cases {
		code, reason := checkRequestLine(line)
		if got := strings.TrimSpace(fmt.Sprintf("%d %s", code, reason)); got != strings.TrimSpace(want) {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}
