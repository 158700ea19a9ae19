package sipclient

import (
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/bodyenc"
	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/imdn"
	"github.com/parley-im/parley/sipclient/iscomposing"
)

// What Parley takes in a MESSAGE, for Accept in a 415 and in OPTIONS;
// and the content codings it undoes, for Accept-Encoding (RFC 3261 20.2).
const (
	acceptMessage  = "text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml"
	acceptEncoding = "deflate, gzip, identity"
)

// cpimSlack is room for the CPIM headers around a text of the largest
// size taken: a MESSAGE may be this much over the body limit, the text in
// it may not.
const cpimSlack = 16 << 10

// bodyKind is what an incoming MESSAGE carries.
type bodyKind int

const (
	bodyText    bodyKind = iota // a chat message
	bodyTyping                  // an is-composing indication (RFC 3994)
	bodyReceipt                 // a disposition notification (RFC 5438)
)

// inbound is the body of an incoming MESSAGE, decoded: Content-Encoding
// undone, CPIM unwrapped, the part inside read.
type inbound struct {
	kind    bodyKind
	text    string
	typing  *iscomposing.Indication
	receipt *imdn.Notification
	wrap    *cpim.Message  // the CPIM wrapper, nil for a bare body
	imdnID  string         // the sender's imdn.Message-ID, "" if none
	notify  history.Notify // the notifications the sender asks for
	sentAt  time.Time      // the CPIM DateTime, zero if none
}

// refusal is how to answer a MESSAGE whose body is not taken.
type refusal struct {
	code   int
	reason string
	hdrs   []string
	detail string // for the log or a Diagnostic
	// failed says the sender asked for a negative delivery notification
	// and in is what we could read of its request.
	failed bool
}

// decodeBody reads a MESSAGE body. Content codings are undone first,
// bounded, so nothing else ever sees a compressed body; then the media
// type says what it is. A text over maxBody is refused 413, even inside
// CPIM (whose negative-delivery request is then honoured).
func decodeBody(req *sip.Request, maxBody int) (inbound, *refusal) {
	body := req.Body()
	if ce := headerValue(req, "Content-Encoding"); ce != "" {
		var err error
		if body, err = bodyenc.Decode(body, ce, int64(maxBody+cpimSlack)); err != nil {
			return inbound{}, encodingRefusal(err)
		}
	}
	switch mt := mediaType(req); mt {
	case "", "text/plain":
		return textBody(body, maxBody)
	case cpim.ContentType:
		return cpimBody(body, maxBody)
	default:
		return bareBody(mt, body)
	}
}

func encodingRefusal(err error) *refusal {
	switch {
	case errors.Is(err, bodyenc.ErrUnsupported):
		return &refusal{code: 415, reason: "Unsupported Media Type", hdrs: []string{"Accept-Encoding", acceptEncoding},
			detail: err.Error()}
	case errors.Is(err, bodyenc.ErrTooLarge):
		return &refusal{code: 413, reason: "Request Entity Too Large", detail: err.Error()}
	}
	return &refusal{code: 400, reason: "Bad Body", detail: err.Error()}
}

func textBody(body []byte, maxBody int) (inbound, *refusal) {
	if len(body) > maxBody {
		return inbound{}, tooLarge(len(body), maxBody)
	}
	return inbound{kind: bodyText, text: strings.ToValidUTF8(string(body), "\uFFFD")}, nil
}

func tooLarge(n, limit int) *refusal {
	return &refusal{code: 413, reason: "Request Entity Too Large",
		detail: fmt.Sprintf("text of %d bytes refused (limit %d)", n, limit)}
}

// bareBody reads a body that is no chat message: a typing notice or a
// notification, else a type Parley does not take (415 with Accept).
func bareBody(mt string, body []byte) (inbound, *refusal) {
	switch mt {
	case iscomposing.ContentType:
		ind, err := iscomposing.Decode(body)
		if err != nil {
			return inbound{}, &refusal{code: 400, reason: "Bad Is-Composing", detail: err.Error()}
		}
		return inbound{kind: bodyTyping, typing: ind}, nil
	case imdn.ContentType:
		n, err := imdn.Decode(body)
		if err != nil {
			// Answered 200 all the same: a sender of notifications
			// never hears a refusal from us (see onReceipt).
			return inbound{kind: bodyReceipt}, nil
		}
		return inbound{kind: bodyReceipt, receipt: n}, nil
	}
	return inbound{}, &refusal{code: 415, reason: "Unsupported Media Type", hdrs: []string{"Accept", acceptMessage},
		detail: "content type " + mt}
}

// cpimBody unwraps a Message/CPIM body (RFC 3862) and reads the part in
// it as if it had come bare, with the wrapper's IMDN request.
func cpimBody(body []byte, maxBody int) (inbound, *refusal) {
	m, err := cpim.Decode(body)
	if err != nil {
		return inbound{}, &refusal{code: 400, reason: "Bad CPIM", detail: err.Error()}
	}
	id, d := imdn.Requested(m)
	in := inbound{wrap: m, imdnID: id, notify: notifyOf(d)}
	if t, ok := m.DateTime(); ok {
		in.sentAt = t
	}
	inner, rf := innerPart(m, maxBody)
	if rf != nil {
		rf.failed = id != "" && d&imdn.NegativeDelivery != 0
		return in, rf
	}
	inner.wrap, inner.imdnID, inner.notify, inner.sentAt = in.wrap, in.imdnID, in.notify, in.sentAt
	return inner, nil
}

func innerPart(m *cpim.Message, maxBody int) (inbound, *refusal) {
	ct := m.ContentType()
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" || mt == "text/plain" {
		return textBody(m.Body, maxBody)
	}
	return bareBody(mt, m.Body)
}

func notifyOf(d imdn.Disposition) history.Notify {
	var n history.Notify
	if d&imdn.PositiveDelivery != 0 {
		n |= history.NotifyDelivery
	}
	if d&imdn.NegativeDelivery != 0 {
		n |= history.NotifyFailure
	}
	if d&imdn.Display != 0 {
		n |= history.NotifyDisplay
	}
	return n
}

// mismatch says in words how the CPIM From and To disagree with the SIP
// ones, "" when they agree. They are compared as identities; a port or
// its absence is forgiven (a CPIM address is often the bare AOR). The
// SIP From stays the sender whatever CPIM says.
func mismatch(m *cpim.Message, sipFrom, sipTo string) string {
	if m == nil {
		return ""
	}
	var words []string
	if from, err := m.From(); err == nil && !sameParty(from.URI, sipFrom) {
		words = append(words, fmt.Sprintf("it says it is from %s but was sent by %s", from.URI, sipFrom))
	}
	to := m.To()
	agrees := len(to) == 0
	for _, a := range to {
		agrees = agrees || sameParty(a.URI, sipTo)
	}
	if !agrees {
		words = append(words, fmt.Sprintf("it says it is for %s but was sent to %s", to[0].URI, sipTo))
	}
	if len(words) == 0 {
		return ""
	}
	return "This message may not be what it claims: " + strings.Join(words, "; ") + "."
}

func sameParty(a, b string) bool {
	ia, erra := identity.Parse(a)
	ib, errb := identity.Parse(b)
	if erra != nil || errb != nil {
		return false
	}
	if ia == ib {
		return true
	}
	ha, _, _ := strings.Cut(ia.HostPort(), ":")
	hb, _, _ := strings.Cut(ib.HostPort(), ":")
	return ia.User() == ib.User() && ha == hb && !strings.HasPrefix(ha, "[")
}
