package sipclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/imdn"
)

// ContentTypeText is what Parley sends and shows: plain UTF-8 text (in
// message/cpim to peers that showed they speak IMDN).
const ContentTypeText = "text/plain;charset=UTF-8"

// Delivery is the outcome of one MESSAGE we sent.
type Delivery struct {
	ID     MessageID     // as SendMessage returns it
	Status history.State // MsgSent, MsgStored or MsgFailed (a receipt may have come first: delivered, read)
	Code   int
	Reason string
}

// pager is the MESSAGE role (RFC 3428). It sends through its outbox
// (outbox.go: a durable queue, claims, retries with backoff) and receives
// into its chat store (inbox.go, inbox_store.go), refusing strangers over
// the limit (inbox_limit.go) and dropping what blocked senders write. It
// owns the store, the outbox loop, the claims and its lock, and reaches
// the user agent through the seam.
type pager struct {
	ua      seam
	log     *slog.Logger
	book    Book
	limit   *strangerLimit // nil: strangers are not limited
	maxBody int
	backoff []time.Duration           // outbox retry delays, the last one repeats
	sendsTo func(peerAOR string) bool // nil: every queued message is ours to send
	given   *history.Store            // WithStore; nil: an in-memory store of our own
	prefs   *imPrefs                  // the user's IM choices
	caps    *capBook                  // what each peer showed it speaks
	typing  *typing                   // is-composing both ways (typing.go)
	ctx     context.Context           // ends with the user agent: sends give way, the loop ends
	store   *chatStore                // its store is opened at start
	wake    chan struct{}             // kicks the outbox loop
	once    sync.Once                 // start
	work    sync.WaitGroup            // sends and inbound writes; the store closes after them

	mu     sync.Mutex
	closed bool                        // halted: no new work
	done   chan struct{}               // closed once the loop has ended; nil if it never ran
	flying map[MessageID]chan struct{} // outgoing IDs being sent; each channel closes when its send ends

	// outboxReads counts the outbox loop's store reads, so a test can
	// show that an idle outbox runs no SQL.
	outboxReads atomic.Int64
}

// newPager prepares the pager of a user agent; ctx ends with it. Nothing
// runs before start.
func newPager(ctx context.Context, ua seam, o *options) *pager {
	p := &pager{ua: ua, log: o.log, book: o.book, limit: o.limit, maxBody: o.maxBody,
		backoff: o.backoff, sendsTo: o.sendsTo, given: o.store, ctx: ctx,
		wake: make(chan struct{}, 1), flying: map[MessageID]chan struct{}{}}
	p.store = &chatStore{openFallback: o.fallback, onFallback: func(err error) {
		p.log.Error("history unavailable, keeping messages in memory", "error", err)
		p.ua.emit(Diagnostic{What: WhatHistory, Detail: unavailableDetail(err)})
	}}
	prefs := defaultIMPrefs
	if o.imPrefs != nil {
		prefs = *o.imPrefs
	}
	p.prefs, p.caps = newIMPrefs(prefs), newCapBook(p.store)
	p.typing = newTyping(ctx, ua, p.caps, p.prefs, p.sendBare, p.spawn)
	return p
}

// send stores text for uri as pending and sends it in the background.
func (p *pager) send(ctx context.Context, uri, text string) (MessageID, error) {
	msg, base, err := p.addPending(ctx, uri, text)
	if err != nil {
		return 0, err
	}
	p.startSend(msg, base, time.Now())
	return MessageID(base + msg.ID), nil
}

// queue stores text for uri as pending, for the outbox to send.
func (p *pager) queue(ctx context.Context, uri, text string) (MessageID, error) {
	msg, base, err := p.addPending(ctx, uri, text)
	if err != nil {
		return 0, err
	}
	p.kick()
	return MessageID(base + msg.ID), nil
}

// deliver stores text for uri as pending and waits for the outcome of the
// first attempt: its own, or the outbox's if the outbox took it first.
func (p *pager) deliver(ctx context.Context, uri, text string) (Delivery, error) {
	msg, base, err := p.addPending(ctx, uri, text)
	if err != nil {
		return Delivery{}, err
	}
	id := MessageID(base + msg.ID)
	if err := p.awaitClaim(ctx, id); err != nil {
		return Delivery{}, err
	}
	defer p.release(id)
	if !p.enter() {
		return Delivery{}, ErrClosed
	}
	defer p.work.Done()
	cur, due, err := p.stillDue(msg.ID, base, time.Now())
	switch {
	case err != nil:
		return Delivery{}, fmt.Errorf("message %s: %w", id, err)
	case due:
		return p.attempt(cur, base), nil
	}
	return Delivery{ID: id, Status: cur.State, Code: cur.Code, Reason: cur.Reason}, nil
}

// addPending checks a message and stores it as pending (local echo): from
// here on it is not lost, whatever happens to the process. The stored
// message carries the Call-ID, From tag and CSeq it will be sent with.
func (p *pager) addPending(ctx context.Context, uri, text string) (history.Message, int64, error) {
	req, err := p.messageRequest(uri, text)
	if err != nil {
		return history.Message{}, 0, err
	}
	p.start()
	callID, tag, cseq := sipIDs(req)
	msg := history.Message{PeerURI: req.Recipient.String(), Text: text, ContentType: ContentTypeText,
		CallID: callID, FromTag: tag, CSeq: cseq}
	if peer, err := peerOf(req.Recipient); err == nil && p.caps.get(peer).IMDN == history.SupportYes {
		msg.IMDNID, msg.CPIM = newIMDNID(), true
	}
	var base int64
	err = p.store.do(ctx, true, func(st *history.Store, b int64) (err error) {
		base = b
		msg.ID, err = st.AddOutgoing(ctx, msg)
		return err
	})
	if err != nil {
		return history.Message{}, 0, err
	}
	return msg, base, nil
}

// messageRequest builds a MESSAGE outside any dialog (RFC 3428): new
// Call-ID and From tag for every message.
func (p *pager) messageRequest(uri, text string) (*sip.Request, error) {
	if p.ua.isClosed() {
		return nil, ErrClosed
	}
	target, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return nil, fmt.Errorf("%w: not valid UTF-8 text", ErrInvalidText)
	}
	if len(text) > p.maxBody {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrBodyTooLarge, len(text), p.maxBody)
	}
	req := p.ua.newRequest(sip.MESSAGE, target)
	ct := sip.ContentTypeHeader(ContentTypeText)
	req.AppendHeader(&ct)
	req.SetBody([]byte(text))
	return req, nil
}

// wrapCPIM puts req's text in message/cpim (RFC 3862) asking for
// delivery and display notifications (RFC 5438) under msg's IMDN ID,
// dated when the user wrote it.
func wrapCPIM(req *sip.Request, msg history.Message) error {
	from := cpim.Address{URI: aorString(req.From().Address)}
	to := cpim.Address{URI: aorString(req.To().Address)}
	m := cpim.New(from, to, ContentTypeText, req.Body())
	m.Headers[2].Value = cpim.FormatDateTime(msg.At)
	imdn.Request(m, msg.IMDNID, imdn.PositiveDelivery|imdn.Display)
	body, err := cpim.Encode(m)
	if err != nil {
		return err
	}
	ct := sip.ContentTypeHeader(cpim.ContentType)
	req.ReplaceHeader(&ct)
	req.SetBody(body)
	return nil
}

// onMessage receives a MESSAGE: a chat message (text/plain, or text in
// message/cpim), a typing notice or a disposition notification, each
// maybe compressed (inbox_body.go). A chat message is in the history
// before the 200 goes out, and announced only the first time: a
// retransmission or replay (same Call-ID, From tag and CSeq), or a resend
// with the same imdn.Message-ID, is answered 200 again but neither stored
// nor announced twice. Typing notices and notifications are answered 200
// and never stored as messages.
func (p *pager) onMessage(req *sip.Request, tx sip.ServerTransaction) {
	ev, ok := p.sender(req, tx)
	if !ok {
		return
	}
	in, rf := decodeBody(req, p.maxBody)
	switch {
	case rf != nil:
		p.refuse(req, tx, ev, &in, rf)
		return
	case in.kind == bodyTyping:
		p.ua.respond(req, tx, 200, "OK")
		p.onTyping(ev, &in)
		return
	case in.kind == bodyReceipt:
		p.ua.respond(req, tx, 200, "OK")
		p.onReceipt(ev, in.receipt)
		return
	case p.overLimit(ev.Peer):
		p.refuse(req, tx, ev, &in, overLimitRefusal)
		return
	}
	ev.Text, ev.CPIM, ev.SentAt = in.text, in.wrap != nil, in.sentAt
	ev.Mismatch = mismatch(in.wrap, ev.From, ev.To)
	p.take(req, tx, ev, &in)
}

// take stores a chat message, answers it and announces it.
func (p *pager) take(req *sip.Request, tx sip.ServerTransaction, ev *MessageReceived, in *inbound) {
	id, dup, err := p.keepIncoming(ev, in)
	ev.ID = id
	if err != nil {
		p.notStored(req, tx, ev, err)
		return
	}
	// Accept says what else we take: a Parley (or any peer that reads
	// it) on the other side learns it may send CPIM, receipts and typing
	// notices (see learnAccept).
	p.ua.respond(req, tx, 200, "OK", "Accept", acceptMessage)
	if in.wrap != nil && in.imdnID != "" {
		p.caps.update(ev.Peer, true, func(c *history.Caps) { c.IMDN = history.SupportYes })
	}
	if !dup {
		p.typing.messageFrom(ev.Peer)
		p.ua.emit(*ev)
	}
	if in.imdnID != "" && in.notify&history.NotifyDelivery != 0 {
		p.notifyDelivery(ev, in.imdnID, in.sentAt, imdn.StatusDelivered, 0, "")
	}
}

// notStored answers a MESSAGE the history did not take. Out of line, as
// the other refusals here: see Client.unsent.
//
//go:noinline
func (p *pager) notStored(req *sip.Request, tx sip.ServerTransaction, ev *MessageReceived, err error) {
	if errors.Is(err, history.ErrInvalid) {
		p.ua.respond(req, tx, 400, "Bad From")
		p.ua.emit(Diagnostic{What: "message", Peer: ev.Peer, URI: ev.From, Detail: err.Error()})
		return
	}
	// Not held anywhere: the peer must not think it was delivered.
	p.ua.respond(req, tx, 500, "Server Internal Error", "Retry-After", "5")
	p.ua.emit(Diagnostic{What: "message", Peer: ev.Peer, URI: ev.From, Detail: "message refused, not stored: " + err.Error()})
}

// overLimitRefusal answers a stranger over the limit. A variable, not a
// literal at the call: onMessage's frame stays small (see Client.unsent).
var overLimitRefusal = &refusal{code: 503, reason: "Too Many Messages", hdrs: []string{"Retry-After", "60"},
	detail: "a stranger over the limit"}

// refuse answers a MESSAGE whose body is not taken, and tells a sender
// that asked for negative delivery notifications.
func (p *pager) refuse(req *sip.Request, tx sip.ServerTransaction, ev *MessageReceived, in *inbound, rf *refusal) {
	p.ua.respond(req, tx, rf.code, rf.reason, rf.hdrs...)
	switch rf.code {
	case 413:
		p.ua.emit(Diagnostic{What: "oversize MESSAGE", Peer: ev.Peer, URI: ev.From, Detail: rf.detail})
	case 400:
		p.ua.emit(Diagnostic{What: "message", Peer: ev.Peer, URI: ev.From, Detail: rf.detail})
	default:
		p.log.Debug("message refused", "from", ev.From, "code", rf.code, "detail", rf.detail)
	}
	if rf.failed {
		p.notifyDelivery(ev, in.imdnID, in.sentAt, imdn.StatusFailed, rf.code, rf.reason)
	}
}

// onTyping applies a peer's is-composing; it shows the peer takes them.
func (p *pager) onTyping(ev *MessageReceived, in *inbound) {
	p.caps.update(ev.Peer, p.book.IsContact(ev.Peer), func(c *history.Caps) {
		if c.Typing == history.SupportUnknown {
			c.Typing = history.SupportYes
		}
	})
	p.typing.indication(ev.Peer, ev.From, in.typing)
}

// sender reads who sent a MESSAGE and whether to read it at all. One not
// to read is answered here: From names no one (400), a blocked sender
// (200: polite, the sender cannot tell).
func (p *pager) sender(req *sip.Request, tx sip.ServerTransaction) (*MessageReceived, bool) {
	ev, err := received(req)
	if err != nil {
		p.ua.respond(req, tx, 400, "Bad From")
		p.ua.emit(Diagnostic{What: "message", URI: ev.From, Detail: err.Error()})
		return ev, false
	}
	p.ua.heardFrom(ev.Peer)
	if p.book.SenderBlocked(ev.Peer) {
		p.ua.respond(req, tx, 200, "OK")
		p.log.Debug("message from a blocked sender dropped", "from", ev.From)
		return ev, false
	}
	return ev, true
}

// screening is what the user's book and the stranger limit make of
// something a peer sends to be kept: a message, a missed call.
type screening int

const (
	admitted      screening = iota
	senderBlocked           // the user blocked the sender: drop it unseen
	overLimit               // a stranger sent too much this minute
)

// screen decides whether what peer sends now is kept, and counts it
// against the stranger limit if so.
func (p *pager) screen(peer identity.ID) screening {
	switch {
	case p.book.SenderBlocked(peer):
		return senderBlocked
	case p.overLimit(peer):
		return overLimit
	}
	return admitted
}

// overLimit counts what a stranger sends to be kept against the stranger
// limit, and says whether it is over; contacts are never limited.
// Typing notices and receipts are not counted: nothing of them is kept.
func (p *pager) overLimit(peer identity.ID) bool {
	return !p.book.IsContact(peer) && !p.limit.allow(peer, time.Now())
}

// received reads a MESSAGE's sender; an error means its From names no
// one. The text comes from the body, decoded apart.
func received(req *sip.Request) (*MessageReceived, error) {
	from := req.From()
	ev := &MessageReceived{
		From: aorString(from.Address), FromName: from.DisplayName, To: aorString(req.To().Address),
		ContentType: "text/plain",
		CallID:      req.CallID().Value(), FromTag: tagOf(from.Params), CSeq: req.CSeq().SeqNo, At: time.Now(),
	}
	var err error
	ev.Peer, err = identity.Parse(ev.From) // ev.From is peerOf's own input: render the From once
	return ev, err
}
