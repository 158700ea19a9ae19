package sipclient

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// The gate checks every incoming request once, before any role sees it,
// the way RFC 3261 8.2 asks of a UAS (and 16.3 of a proxy, whose checks
// overlap). Decisions taken here:
//   - Max-Forwards is not required: RFC 2543 peers omit it (RFC 4475
//     3.4.1), and 8.2 does not ask a UAS to check it. A value of 0 is
//     fine too: it stops proxies, and an endpoint processes the request
//     as if the value were positive (RFC 4475 3.3.11). More than one
//     Max-Forwards is refused like any repeated single-value header.
//   - sipgo upper-cases the Request-Line method and keeps CSeq's as
//     sent, so the two are compared without case: a stricter check would
//     refuse RFC 4475's valid intmeth.
//   - A Request-URI with headers (?...) is refused: RFC 3261 19.1.1 does
//     not allow them there (RFC 4475 3.1.2.11 lets a UAS say 400).
//   - An ACK is never answered; one the gate refuses is dropped.

// maxCSeq: RFC 3261 8.1.1.5, a CSeq number is less than 2**31.
const maxCSeq = 1<<31 - 1

// supportedExtensions are the option tags a peer may Require of us, by
// method: a resource list server's NOTIFYs carry Require: eventlist (RFC
// 4662, rls.go). As a presentity Parley serves no lists, so a SUBSCRIBE
// that requires eventlist gets 420 with Unsupported: eventlist.
var supportedExtensions = map[sip.RequestMethod]map[string]bool{
	sip.NOTIFY: {"eventlist": true},
}

// singleHeaders may appear once only (RFC 3261 7.3.1: they are not
// comma-separated lists). RFC 4475 3.3.8 and 3.3.9 expect 400.
var singleHeaders = []string{"From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"}

// verdict is the gate's answer to a request it refuses. A zero code
// means the request cannot be answered and is dropped.
type verdict struct {
	code   int
	reason string
	hdrs   []string // extra header name/value pairs for the answer
}

// checkRequest says whether req may reach a role, and if not, how to
// answer it.
func checkRequest(req *sip.Request) (verdict, bool) {
	v, ok := checkSyntax(req)
	if ok {
		v, ok = checkTarget(req)
	}
	if !ok && req.IsAck() {
		return verdict{}, false
	}
	return v, ok
}

func checkSyntax(req *sip.Request) (verdict, bool) {
	if req.Via() == nil {
		return verdict{}, false // nowhere to send an answer
	}
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") {
		return verdict{code: 505, reason: "Version Not Supported"}, false
	}
	if name := missingHeader(req); name != "" {
		return verdict{code: 400, reason: "Missing " + name + " Header"}, false
	}
	if name := repeatedHeader(req); name != "" {
		return verdict{code: 400, reason: "Multiple " + name + " Headers"}, false
	}
	cseq := req.CSeq()
	if cseq.SeqNo > maxCSeq {
		return verdict{code: 400, reason: "CSeq Number Too Large"}, false
	}
	if !strings.EqualFold(strings.TrimSpace(string(cseq.MethodName)), string(req.Method)) {
		return verdict{code: 400, reason: "CSeq Method Does Not Match"}, false
	}
	if !bodyLengthMatches(req) {
		return verdict{code: 400, reason: "Content-Length Does Not Match Body"}, false
	}
	return verdict{}, true
}

func missingHeader(req *sip.Request) string {
	switch {
	case req.From() == nil:
		return "From"
	case req.To() == nil:
		return "To"
	case req.CallID() == nil:
		return "Call-ID"
	case req.CSeq() == nil:
		return "CSeq"
	}
	return ""
}

func repeatedHeader(req *sip.Request) string {
	for _, name := range singleHeaders {
		if len(req.GetHeaders(name)) > 1 {
			return name
		}
	}
	return ""
}

// bodyLengthMatches: a declared Content-Length equals the body we hold.
// sipgo refuses a datagram shorter than declared before we see it (that
// is answered in unparsed.go) and cuts a longer one (RFC 3261 18.3), so
// this is a last guard rather than the main check.
func bodyLengthMatches(req *sip.Request) bool {
	cl := req.ContentLength()
	return cl == nil || int(*cl) == len(req.Body())
}

// checkTarget: what the request asks of us is something we can serve.
func checkTarget(req *sip.Request) (verdict, bool) {
	if !sipScheme(req.Recipient.Scheme) {
		return verdict{code: 416, reason: "Unsupported URI Scheme"}, false
	}
	if len(req.Recipient.Headers) > 0 {
		return verdict{code: 400, reason: "Headers Not Allowed In Request-URI"}, false
	}
	if req.IsAck() || req.IsCancel() {
		return verdict{}, true // RFC 3261 8.2.2.3: Require is not checked for these
	}
	if tags := unsupportedTags(req); len(tags) > 0 {
		return verdict{code: 420, reason: "Bad Extension", hdrs: []string{"Unsupported", strings.Join(tags, ", ")}}, false
	}
	return verdict{}, true
}

func sipScheme(s string) bool { return strings.EqualFold(s, "sip") || strings.EqualFold(s, "sips") }

// unsupportedTags lists the option tags of Require we do not support.
// Proxy-Require is for proxies; a UAS ignores it (RFC 4475 3.3.5).
func unsupportedTags(req *sip.Request) []string {
	var tags []string
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			tag = strings.TrimSpace(tag)
			if tag != "" && !supportedExtensions[req.Method][strings.ToLower(tag)] {
				tags = append(tags, tag)
			}
		}
	}
	return tags
}

// gate runs checkRequest and answers what it refuses. It reports whether
// req may go on to a role.
func (c *Client) gate(req *sip.Request, tx sip.ServerTransaction) bool {
	v, ok := checkRequest(req)
	if ok {
		return true
	}
	if v.code == 0 {
		c.opt.log.Debug("request dropped at the gate", "method", req.Method, "source", req.Source())
		return false
	}
	c.opt.log.Debug("request refused at the gate", "method", req.Method, "code", v.code, "reason", v.reason,
		"source", req.Source())
	res := sip.NewResponseFromRequest(req, v.code, v.reason, nil)
	res.SipVersion = "SIP/2.0" // sipgo copies the request's, even SIP/7.0
	addReceived(req, res)
	for i := 0; i+1 < len(v.hdrs); i += 2 {
		res.AppendHeader(sip.NewHeader(v.hdrs[i], v.hdrs[i+1]))
	}
	c.send(tx, res)
	return false
}

// String is for logs and tests.
func (v verdict) String() string {
	if v.code == 0 {
		return "drop"
	}
	return strconv.Itoa(v.code) + " " + v.reason
}
