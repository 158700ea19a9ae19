package sipclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/rlmi"
)

const allowMethods = "ACK, BYE, CANCEL, OPTIONS, SUBSCRIBE, NOTIFY, MESSAGE"

// newRequest builds an out-of-dialog request from us to target with a fresh
// Call-ID and From tag (RFC 3261 8.1.1).
func (c *Client) newRequest(method sip.RequestMethod, target sip.Uri) *sip.Request {
	req := sip.NewRequest(method, target)
	from := &sip.FromHeader{DisplayName: c.cfg.DisplayName, Address: c.aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{Address: sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port}, Params: sip.NewParams()}
	callID := sip.CallIDHeader(sip.GenerateTagN(24))
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	c.finishRequest(req, c.transportFor(target))
	c.routeViaServer(req)
	return req
}

// finishRequest adds the headers every request of ours carries and binds
// UDP requests to our listening socket, so answers and peers see one port.
func (c *Client) finishRequest(req *sip.Request, transport string) {
	req.SetBody(nil) // Content-Length: 0 until a body is set; TCP needs it
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(c.contactFor(req, transport))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.AppendHeader(sip.NewHeader("User-Agent", c.opt.userAgentName))
	req.SetTransport(transport)
	if transport == "UDP" {
		c.udpLaddr.Copy(&req.Laddr) // a copy: the transport may edit it
	}
}

func (c *Client) contactHeader(transport string) *sip.ContactHeader {
	a := c.contactAddr(transport)
	host := c.contact.Host
	if a.IP != nil {
		host = a.IP.String()
	}
	u := sip.Uri{Scheme: "sip", User: c.contact.User, Host: host, Port: a.Port}
	if transport != "UDP" {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", strings.ToLower(transport))
	}
	return &sip.ContactHeader{Address: u}
}

// do sends req and waits for its final answer, bounded by the request
// timeout. In server mode it answers digest challenges (401, 407) and
// sends the request again. A non-2xx answer is returned with a
// *ResponseError.
func (c *Client) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	auth := c.auth
	if auth != nil && req.Destination() == c.server.proxy {
		auth.preauthorize(req)
	}
	res, err := c.roundTrip(ctx, req)
	retried := map[int]bool{}
	for tries := 0; err == nil && auth != nil && (res.StatusCode == 401 || res.StatusCode == 407) && tries < 3; tries++ {
		if aerr := auth.answer(req, res, retried[res.StatusCode]); aerr != nil {
			return res, &ResponseError{Method: string(req.Method), Code: res.StatusCode, Reason: res.Reason, Err: aerr}
		}
		retried[res.StatusCode] = true
		prepareResend(req)
		res, err = c.roundTrip(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return res, &ResponseError{Method: string(req.Method), Code: res.StatusCode, Reason: res.Reason}
	}
	return res, nil
}

// roundTrip is one transaction: request out, final answer back.
func (c *Client) roundTrip(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opt.reqTimeout)
	defer cancel()
	res, err := c.sipc.Do(ctx, req, sipgo.ClientRequestAddVia)
	if tooLargeForUDP(err) {
		res, err = c.sendOverTCP(ctx, req) // congestion.go
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sip.ErrTransactionTimeout) {
			return nil, fmt.Errorf("%s to %s: %w", req.Method, req.Recipient.Host, ErrNoResponse)
		}
		return nil, fmt.Errorf("%s to %s: %w", req.Method, req.Recipient.Host, err)
	}
	if res == nil {
		// sipgo v1.7.3 closes a terminated transaction's done channel
		// before it records why, so Do can return neither answer nor
		// error while the user agent closes.
		return nil, fmt.Errorf("%s to %s: transaction ended: %w", req.Method, req.Recipient.Host, ErrNoResponse)
	}
	return res, nil
}

// respond answers req on tx. It adds Via received= when the sent-by host is
// not the packet's source address, as RFC 3261 18.2.1 requires and sipgo
// omits, and the extra headers given as name/value pairs.
func (c *Client) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...string) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	addReceived(req, res)
	for i := 0; i+1 < len(hdrs); i += 2 {
		res.AppendHeader(sip.NewHeader(hdrs[i], hdrs[i+1]))
	}
	c.send(tx, res)
	return res
}

func (c *Client) send(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		c.unsent(res, err)
	}
}

// unsent logs a response that could not be sent. It and the other
// refusals below are kept out of line (go:noinline): every request's
// goroutine runs through guard and respond, and their locals made its
// stack outgrow the runtime's 4 KiB start, a stack copy per request.
//
//go:noinline
func (c *Client) unsent(res *sip.Response, err error) {
	c.opt.log.Warn("response not sent", "code", res.StatusCode, "error", err)
}

func addReceived(req *sip.Request, res *sip.Response) {
	via := res.Via()
	if via == nil {
		return
	}
	src, _, err := net.SplitHostPort(req.Source())
	if err != nil || src == "" {
		return
	}
	if via.Host != src && !via.Params.Has("received") {
		via.Params.Add("received", src)
	}
}

// guard wraps a request handler: it passes the request through the gate
// (gate.go), refuses work after Close, answers 500 instead of crashing on
// a bug, and checks the body size limit.
func (c *Client) guard(h func(*sip.Request, sip.ServerTransaction)) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer c.survive(req, tx)
		if !c.gate(req, tx) {
			return
		}
		// While closing, NOTIFYs still get answered: the final NOTIFY of
		// each subscription we are ending is on its way.
		if c.isClosed() && req.Method != sip.NOTIFY {
			c.refuseClosing(req, tx)
			return
		}
		if len(req.Body()) > c.bodyLimit(req) {
			c.refuseOversize(req, tx)
			return
		}
		h(req, tx)
	}
}

// survive answers 500 instead of crashing on a bug in a handler; it is
// the deferred call itself, so recover sees the panic.
func (c *Client) survive(req *sip.Request, tx sip.ServerTransaction) {
	if r := recover(); r != nil {
		c.opt.log.Error("request handler panic", "method", req.Method, "panic", r)
		c.respond(req, tx, 500, "Internal Server Error")
	}
}

//go:noinline
func (c *Client) refuseClosing(req *sip.Request, tx sip.ServerTransaction) {
	c.respond(req, tx, 503, "Service Unavailable", "Retry-After", "30")
}

//go:noinline
func (c *Client) refuseOversize(req *sip.Request, tx sip.ServerTransaction) {
	c.respond(req, tx, 413, "Request Entity Too Large")
	c.emit(Diagnostic{What: "oversize " + string(req.Method), URI: fromAOR(req),
		Detail: fmt.Sprintf("body of %d bytes refused (limit %d)", len(req.Body()), c.bodyLimit(req))})
}

// bodyLimit is the largest body taken in req. A MESSAGE may carry CPIM
// headers around a text of the largest size: the pager holds the text
// itself to WithMaxBody.
func (c *Client) bodyLimit(req *sip.Request) int {
	if req.Method == sip.MESSAGE {
		return c.opt.maxBody + cpimSlack
	}
	if req.Method == sip.NOTIFY && mediaType(req) == rlmi.MultipartRelated {
		return max(c.opt.maxBody, listNotifyLimit) // many contacts' documents at once (rls.go)
	}
	return c.opt.maxBody
}

func (c *Client) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	c.respond(req, tx, 200, "OK", "Allow", allowMethods, "Allow-Events", "presence",
		"Accept", acceptMessage+", "+presenceFormats, "Accept-Encoding", acceptEncoding)
}

func (c *Client) onUnsupported(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() {
		return
	}
	c.respond(req, tx, 405, "Method Not Allowed", "Allow", allowMethods)
}

// fromAOR is the sender's address without parameters.
func fromAOR(req *sip.Request) string {
	if f := req.From(); f != nil {
		return aorString(f.Address)
	}
	return ""
}

// headerValue returns a header's value by name, or "".
func headerValue(m headerReader, name string) string {
	if h := m.GetHeader(name); h != nil {
		return strings.TrimSpace(h.Value())
	}
	return ""
}

// expiresHeader reads Expires; ok is false when absent, err when garbled.
func expiresHeader(m headerReader) (int, bool, error) {
	v := headerValue(m, "Expires")
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, true, fmt.Errorf("bad Expires %q", v)
	}
	return n, true, nil
}

// headerReader is what requests and responses share for reading headers.
type headerReader interface {
	GetHeader(name string) sip.Header
	GetHeaders(name string) []sip.Header
	ContentType() *sip.ContentTypeHeader
}

// hasOptionTag reports whether any of m's header fields lists the option
// tag (Require, Supported: outbound, eventlist…), in any case.
func hasOptionTag(m headerReader, header, tag string) bool {
	for _, h := range m.GetHeaders(header) {
		for t := range strings.SplitSeq(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	return false
}
