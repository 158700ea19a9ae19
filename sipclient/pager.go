package sipclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
)

// ContentTypeText is what Parley sends and shows: plain UTF-8 text.
const ContentTypeText = "text/plain;charset=UTF-8"

// Delivery is the outcome of one MESSAGE we sent.
type Delivery struct {
	ID     string // as SendMessage returns it: the message's ID in the history
	Status string // MsgSent, MsgStored or MsgFailed
	Code   int
	Reason string
}

// SendMessage stores text for uri in the outbox and returns the message's
// ID at once; it is sent in the background and its fate arrives as
// MessageStatus events with the same ID. A failure that may pass (no
// answer, peer offline or busy) is announced and the message is sent
// again later by itself, also after a restart.
func (c *Client) SendMessage(ctx context.Context, uri, text string) (string, error) {
	m, msg, base, err := c.queue(ctx, uri, text)
	if err != nil {
		return "", err
	}
	c.startSend(m, msg, base, time.Now())
	return strconv.FormatInt(base+msg.ID, 10), nil
}

// QueueMessage stores text for uri in the outbox as pending and returns
// its ID, without sending it: for another client sharing the store (see
// WithOutboxShare) to send when it can, e.g. an account that is not
// signed in yet. Its fate arrives from that client.
func (c *Client) QueueMessage(ctx context.Context, uri, text string) (string, error) {
	_, msg, base, err := c.queue(ctx, uri, text)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(base+msg.ID, 10), nil
}

// DeliverMessage is SendMessage waiting for the outcome of the first
// attempt. The message goes through the outbox all the same: if the
// outbox took it first, the outcome of its attempt is the answer.
func (c *Client) DeliverMessage(ctx context.Context, uri, text string) (Delivery, error) {
	m, msg, base, err := c.queue(ctx, uri, text)
	if err != nil {
		return Delivery{}, err
	}
	id := base + msg.ID
	for {
		ok, busy := m.claim(id)
		if ok {
			break
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		}
	}
	defer m.release(id)
	if !c.enter(m) {
		return Delivery{}, ErrClosed
	}
	defer m.work.Done()
	cur, due, err := c.stillDue(m, msg.ID, base, time.Now())
	switch {
	case err != nil:
		return Delivery{}, fmt.Errorf("message %d: %w", id, err)
	case due:
		return c.attempt(m, cur, base), nil
	}
	return Delivery{ID: strconv.FormatInt(id, 10), Status: string(cur.State), Code: cur.Code, Reason: cur.Reason}, nil
}

// queue checks a message and stores it as pending (local echo): from here
// on it is not lost, whatever happens to the process. The stored message
// carries the Call-ID, From tag and CSeq it will be sent with.
func (c *Client) queue(ctx context.Context, uri, text string) (*messaging, history.Message, int64, error) {
	req, err := c.messageRequest(uri, text)
	if err != nil {
		return nil, history.Message{}, 0, err
	}
	callID, tag, cseq := sipIDs(req)
	msg := history.Message{PeerURI: req.Recipient.String(), Text: text, ContentType: ContentTypeText,
		CallID: callID, FromTag: tag, CSeq: cseq}
	m := c.box()
	var base int64
	err = m.store.do(ctx, true, func(st *history.Store, b int64) (err error) {
		base = b
		msg.ID, err = st.AddOutgoing(ctx, msg)
		return err
	})
	if err != nil {
		return nil, history.Message{}, 0, err
	}
	return m, msg, base, nil
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

// onMessage receives an instant message: only text is shown (anything
// else gets 415 with Accept). The message is in the history before the
// 200 goes out, and announced only the first time: a retransmission or
// replay (same Call-ID, From tag and CSeq) is answered 200 again but
// neither stored nor announced twice.
func (c *Client) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	mt := mediaType(req)
	if mt != "" && mt != "text/plain" {
		c.respond(req, tx, 415, "Unsupported Media Type", "Accept", "text/plain")
		return
	}
	ev, err := received(req)
	if err != nil {
		c.respond(req, tx, 400, "Bad From")
		c.emit(Diagnostic{What: "message", URI: ev.From, Detail: err.Error()})
		return
	}
	if c.opt.book.SenderBlocked(ev.Peer) {
		c.respond(req, tx, 200, "OK") // polite: the sender cannot tell
		c.opt.log.Debug("message from a blocked sender dropped", "from", ev.From)
		return
	}
	if !c.opt.book.IsContact(ev.Peer) && !c.opt.limit.allow(ev.Peer, time.Now()) {
		c.respond(req, tx, 503, "Too Many Messages", "Retry-After", "60")
		c.opt.log.Debug("message from a stranger refused: over the limit", "from", ev.From)
		return
	}
	id, dup, err := c.keepIncoming(ev)
	ev.ID = id
	switch {
	case errors.Is(err, history.ErrInvalid):
		c.respond(req, tx, 400, "Bad From")
		c.emit(Diagnostic{What: "message", Peer: ev.Peer, URI: ev.From, Detail: err.Error()})
		return
	case err != nil:
		// Not held anywhere: the peer must not think it was delivered.
		c.respond(req, tx, 500, "Server Internal Error", "Retry-After", "5")
		c.emit(Diagnostic{What: "message", Peer: ev.Peer, URI: ev.From, Detail: "message refused, not stored: " + err.Error()})
		return
	}
	c.respond(req, tx, 200, "OK")
	if !dup {
		c.emit(ev)
	}
}

// received reads a MESSAGE; an error means its From names no one.
func received(req *sip.Request) (MessageReceived, error) {
	from := req.From()
	ev := MessageReceived{
		From: aorString(from.Address), FromName: from.DisplayName, To: aorString(req.To().Address),
		Text: strings.ToValidUTF8(string(req.Body()), "\uFFFD"), ContentType: "text/plain",
		CallID: req.CallID().Value(), FromTag: tagOf(from.Params), CSeq: req.CSeq().SeqNo, At: time.Now(),
	}
	var err error
	ev.Peer, err = peerOf(from.Address)
	return ev, err
}
