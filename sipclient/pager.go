package sipclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
)

// ContentTypeText is what Parley sends and shows: plain UTF-8 text.
const ContentTypeText = "text/plain;charset=UTF-8"

// Delivery is the outcome of one MESSAGE we sent.
type Delivery struct {
	ID     string // the request's Call-ID
	Status string // MsgSent, MsgStored or MsgFailed
	Code   int
	Reason string
}

// SendMessage sends text to uri in the background and returns the
// message's ID at once; its fate arrives as a MessageStatus event.
func (c *Client) SendMessage(ctx context.Context, uri, text string) (string, error) {
	req, err := c.messageRequest(uri, text)
	if err != nil {
		return "", err
	}
	id := req.CallID().Value()
	to := aorString(req.Recipient)
	go func() {
		d := c.deliver(ctx, req)
		c.emit(MessageStatus{ID: d.ID, To: to, Status: d.Status, Code: d.Code, Reason: d.Reason})
	}()
	return id, nil
}

// DeliverMessage sends text to uri and waits for the outcome.
func (c *Client) DeliverMessage(ctx context.Context, uri, text string) (Delivery, error) {
	req, err := c.messageRequest(uri, text)
	if err != nil {
		return Delivery{}, err
	}
	return c.deliver(ctx, req), nil
}

// messageRequest builds a MESSAGE outside any dialog (RFC 3428): new
// Call-ID and From tag for every message.
func (c *Client) messageRequest(uri, text string) (*sip.Request, error) {
	if c.isClosed() {
		return nil, ErrClosed
	}
	target, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return nil, fmt.Errorf("%w: not valid UTF-8 text", ErrInvalidText)
	}
	if len(text) > c.opt.maxBody {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrBodyTooLarge, len(text), c.opt.maxBody)
	}
	req := c.newRequest(sip.MESSAGE, target)
	ct := sip.ContentTypeHeader(ContentTypeText)
	req.AppendHeader(&ct)
	req.SetBody([]byte(text))
	return req, nil
}

func (c *Client) deliver(ctx context.Context, req *sip.Request) Delivery {
	d := Delivery{ID: req.CallID().Value()}
	res, err := c.do(ctx, req)
	var re *ResponseError
	switch {
	case err == nil && res.StatusCode == 202:
		d.Status, d.Code, d.Reason = MsgStored, res.StatusCode, res.Reason
	case err == nil:
		d.Status, d.Code, d.Reason = MsgSent, res.StatusCode, res.Reason
	case errors.As(err, &re):
		d.Status, d.Code, d.Reason = MsgFailed, re.Code, re.Reason
	case errors.Is(err, ErrNoResponse):
		d.Status, d.Code, d.Reason = MsgFailed, 408, "no answer from the peer"
	default:
		d.Status, d.Code, d.Reason = MsgFailed, 503, err.Error()
	}
	return d
}

// onMessage receives an instant message: only text is shown (anything else
// gets 415 with Accept), answered 200 before the event goes out.
func (c *Client) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	mt := mediaType(req)
	if mt != "" && mt != "text/plain" {
		c.respond(req, tx, 415, "Unsupported Media Type", "Accept", "text/plain")
		return
	}
	c.respond(req, tx, 200, "OK")
	from := req.From()
	c.emit(MessageReceived{
		From: aorString(from.Address), FromName: from.DisplayName, To: aorString(req.To().Address),
		Text: strings.ToValidUTF8(string(req.Body()), "\uFFFD"), ContentType: "text/plain",
		CallID: req.CallID().Value(), FromTag: tagOf(from.Params), CSeq: req.CSeq().SeqNo, At: time.Now(),
	})
}
