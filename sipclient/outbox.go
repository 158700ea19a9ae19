package sipclient

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
)

// defaultBackoff spaces automatic resends; the last delay repeats.
var defaultBackoff = []time.Duration{5 * time.Second, 15 * time.Second, time.Minute,
	5 * time.Minute, 15 * time.Minute}

const (
	maxInFlight   = 16             // outbox sends at once
	maxRetryAfter = 24 * time.Hour // a peer's Retry-After is honoured up to this
	storeTimeout  = 15 * time.Second
)

// messaging is the client's chat state: the store and the outbox. It
// starts at the first use (or ResumeOutbox) and ends with the client.
type messaging struct {
	once  sync.Once
	store *chatStore
	wake  chan struct{}
	// work counts sends and inbound writes; the store closes after them.
	work sync.WaitGroup

	mu sync.Mutex
	// inFlight holds the outgoing IDs being sent now; each channel closes
	// when its send ends.
	inFlight map[int64]chan struct{}
}

// box returns the message state, starting it on first use: it opens the
// in-memory store unless WithStore gave one, and starts the outbox loop,
// which at once sends what a previous run left pending.
func (c *Client) box() *messaging {
	m := c.msgs
	m.once.Do(func() {
		m.store = &chatStore{openFallback: c.opt.fallback, onFallback: func(err error) {
			c.opt.log.Error("history unavailable, keeping messages in memory", "error", err)
			c.emit(Diagnostic{What: WhatHistory, Detail: unavailableDetail(err)})
		}}
		m.wake = make(chan struct{}, 1)
		m.inFlight = map[int64]chan struct{}{}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.closed {
			return // store stays nil: every call reports ErrClosed
		}
		if err := m.openStore(c.ctx, c.opt.store); err != nil {
			c.opt.log.Error("no message store", "error", err)
			return
		}
		c.wg.Add(1)
		go c.outboxLoop(m)
	})
	return m
}

func (m *messaging) openStore(ctx context.Context, given *history.Store) error {
	if given != nil {
		m.store.cur = given
		return nil
	}
	mem, err := history.OpenMemory(ctx)
	if err != nil {
		return err
	}
	m.store.cur, m.store.owned = mem, []*history.Store{mem}
	return nil
}

// ResumeOutbox starts the outbox now: messages a previous run left pending
// are sent, failed ones are resent when their retry time comes. Any other
// messaging call starts it too; an application calls ResumeOutbox right
// after New so that nothing waits for the user's first action.
func (c *Client) ResumeOutbox() { c.box() }

// enter registers work that uses the store; false once the client closes.
func (c *Client) enter(m *messaging) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	m.work.Add(1)
	return true
}

// outboxLoop sends due messages until the client closes, then waits for
// the work in progress and closes the store if it opened it.
func (c *Client) outboxLoop(m *messaging) {
	defer c.wg.Done()
	tick := time.NewTicker(c.outboxTick())
	defer tick.Stop()
	// At start, whatever waits for a retry goes out at once: the previous
	// run's backoff says nothing about the network now.
	c.sendDue(m, time.Now().Add(100*365*24*time.Hour))
	for {
		select {
		case <-c.ctx.Done():
			m.work.Wait()
			if err := m.store.close(); err != nil {
				c.opt.log.Warn("closing the message store", "error", err)
			}
			return
		case <-tick.C:
		case <-m.wake:
		}
		c.sendDue(m, time.Now())
	}
}

// outboxTick is how often the outbox looks for due messages: a second, or
// less when the first retry delay is shorter.
func (c *Client) outboxTick() time.Duration {
	return min(time.Second, max(c.opt.backoff[0]/2, 10*time.Millisecond))
}

func (m *messaging) kick() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// sendDue starts a send for each message due at now not already on its
// way.
func (c *Client) sendDue(m *messaging, now time.Time) {
	room := maxInFlight - m.inFlightCount()
	if room <= 0 {
		return
	}
	due, base, err := c.dueMessages(m, now, room)
	if err != nil {
		if c.ctx.Err() == nil {
			c.opt.log.Warn("outbox: reading due messages", "error", err)
		}
		return
	}
	for _, msg := range due {
		if m.inFlightCount() >= maxInFlight {
			return
		}
		c.startSend(m, msg, base, now)
	}
}

// dueMessages reads up to room+maxInFlight due messages of this client's,
// paging past those another identity sharing the store sends (bounded, so
// a huge foreign queue costs a few pages a tick, not a stall).
func (c *Client) dueMessages(m *messaging, now time.Time, room int) ([]history.Message, int64, error) {
	ctx, cancel := context.WithTimeout(c.ctx, storeTimeout)
	defer cancel()
	want := room + maxInFlight
	var out []history.Message
	var base, after int64
	for range 64 {
		var page []history.Message
		err := m.store.do(ctx, false, func(st *history.Store, b int64) (err error) {
			base = b
			page, err = st.DueAfter(ctx, now, after, want)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		for _, msg := range page {
			if c.opt.sendsTo == nil || c.opt.sendsTo(peerAOR(msg)) {
				out = append(out, msg)
			}
		}
		if len(page) < want || len(out) >= want || c.opt.sendsTo == nil {
			break
		}
		after = page[len(page)-1].ID
	}
	return out, base, nil
}

func (m *messaging) inFlightCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.inFlight)
}

// claim marks id as being sent. If it already is, it returns false and a
// channel that closes when that send ends.
func (m *messaging) claim(id int64) (bool, <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if busy, ok := m.inFlight[id]; ok {
		return false, busy
	}
	m.inFlight[id] = make(chan struct{})
	return true, nil
}

func (m *messaging) release(id int64) {
	m.mu.Lock()
	close(m.inFlight[id])
	delete(m.inFlight, id)
	m.mu.Unlock()
}

// startSend sends msg in the background unless it is already on its way
// or, read again once claimed, is no longer due at now: the copy sendDue
// read may predate an attempt that finished since, and sending that copy
// would repeat the attempt with its stale CSeq.
func (c *Client) startSend(m *messaging, msg history.Message, base int64, now time.Time) {
	id := base + msg.ID
	if ok, _ := m.claim(id); !ok {
		return
	}
	if !c.enter(m) {
		m.release(id)
		return
	}
	go func() {
		defer m.work.Done()
		defer m.release(id)
		cur, due, err := c.stillDue(m, msg.ID, base, now)
		switch {
		case due:
			c.attempt(m, cur, base)
		case err != nil && !errors.Is(err, history.ErrNotFound):
			c.opt.log.Warn("outbox: reading a message before sending", "id", id, "error", err)
		}
	}()
}

// stillDue reads message row of the store at base again and reports
// whether it is due at now. A message deleted meanwhile, or left in a
// store given up on, is ErrNotFound.
func (c *Client) stillDue(m *messaging, row, base int64, now time.Time) (history.Message, bool, error) {
	var cur history.Message
	err := c.storeDo(m, false, func(st *history.Store, b int64) (err error) {
		if b != base {
			return history.ErrNotFound
		}
		cur, err = st.Get(context.Background(), row)
		return err
	})
	if err != nil {
		return history.Message{}, false, err
	}
	return cur, cur.DueAt(now), nil
}

// attempt sends msg once, records the outcome and announces it. When the
// client closes meanwhile nothing is recorded: the message stays in the
// outbox and the next run sends it again with the same identifiers.
func (c *Client) attempt(m *messaging, msg history.Message, base int64) Delivery {
	id := strconv.FormatInt(base+msg.ID, 10)
	req, err := c.outboxRequest(m, msg, base)
	var res *sip.Response
	if err == nil {
		res, err = c.do(c.ctx, req)
	}
	if c.ctx.Err() != nil || errors.Is(err, ErrClosed) {
		return Delivery{ID: id, Status: MsgFailed, Code: 503, Reason: ErrClosed.Error()}
	}
	o := c.classify(res, err, msg.Attempts+1)
	c.record(m, msg, base, o)
	d := Delivery{ID: id, Status: o.status, Code: o.code, Reason: o.reason}
	c.emit(MessageStatus{ID: id, Peer: msg.Peer, To: peerAOR(msg), Status: o.status, Code: o.code, Reason: o.reason, RetryAt: o.retryAt})
	return d
}

func peerAOR(msg history.Message) string {
	if u, err := ParseURI(msg.PeerURI); err == nil {
		return aorString(u)
	}
	return msg.Peer.String()
}

// outboxRequest builds the MESSAGE for a stored message, with the Call-ID,
// From tag and CSeq it was first sent with, so that the peer recognizes a
// resend of something it already has. A message stored without them gets
// fresh ones, recorded before the first send.
func (c *Client) outboxRequest(m *messaging, msg history.Message, base int64) (*sip.Request, error) {
	req, err := c.messageRequest(msg.PeerURI, msg.Text)
	if err != nil {
		return nil, err
	}
	if msg.CallID == "" {
		callID, tag, cseq := sipIDs(req)
		err := c.storeDo(m, false, func(st *history.Store, b int64) error {
			if b != base {
				return nil // the message is in a store given up on
			}
			return st.SetCallID(context.Background(), msg.ID, callID, tag, cseq)
		})
		return req, err
	}
	*req.CallID() = sip.CallIDHeader(msg.CallID)
	req.From().Params.Add("tag", msg.FromTag)
	req.CSeq().SeqNo = max(msg.CSeq, 1)
	return req, nil
}

func sipIDs(req *sip.Request) (callID, tag string, cseq uint32) {
	return req.CallID().Value(), tagOf(req.From().Params), req.CSeq().SeqNo
}

// storeDo runs f on the store with a bounded context of its own: a write
// that records what happened on the wire must not be cut short by Close.
func (c *Client) storeDo(m *messaging, retry bool, f func(st *history.Store, base int64) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return m.store.do(ctx, retry, f)
}

// outcome is what one send attempt comes to.
type outcome struct {
	status, reason string
	code           int
	retryAt        time.Time // zero: no automatic resend
	refused        bool      // a final answer came: the next attempt is a new request
}

// classify reads a send's result. attempts counts this one.
func (c *Client) classify(res *sip.Response, err error, attempts int) outcome {
	var re *ResponseError
	switch {
	case err == nil && res.StatusCode == 202:
		return outcome{status: MsgStored, code: res.StatusCode, reason: res.Reason}
	case err == nil:
		return outcome{status: MsgSent, code: res.StatusCode, reason: res.Reason}
	case errors.As(err, &re):
		o := outcome{status: MsgFailed, code: re.Code, reason: re.Reason, refused: true}
		if ra := retryAfter(res); transient(re.Code, ra > 0) {
			o.retryAt = time.Now().Add(c.retryDelay(attempts, ra))
		}
		return o
	case errors.Is(err, ErrNoResponse):
		return outcome{status: MsgFailed, code: 408, reason: "no answer from the peer",
			retryAt: time.Now().Add(c.retryDelay(attempts, 0))}
	case errors.Is(err, ErrInvalidURI), errors.Is(err, ErrInvalidText), errors.Is(err, ErrBodyTooLarge):
		return outcome{status: MsgFailed, code: 0, reason: err.Error()}
	}
	// Not reachable (refused, no route, DNS): the peer may come up.
	return outcome{status: MsgFailed, code: 503, reason: err.Error(),
		retryAt: time.Now().Add(c.retryDelay(attempts, 0))}
}

// transient reports whether a refusal may pass by itself: the peer is
// away, busy or overloaded, or asks us to come back later.
func transient(code int, hasRetryAfter bool) bool {
	switch code {
	case 408, 480, 482, 486, 503, 504:
		return true
	case 500, 600:
		return hasRetryAfter
	}
	return false
}

// retryDelay is the backoff step for the attempts made so far, or the
// peer's Retry-After (read by watcher.go's retryAfter) when it gave one.
func (c *Client) retryDelay(attempts int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	b := c.opt.backoff
	return b[min(max(attempts, 1), len(b))-1]
}

// record writes an attempt's outcome to the store. After a refusal the
// next attempt goes out as a new request (next CSeq): the peer has not
// taken this one, and some UAS refuse a copy of a request they refused.
func (c *Client) record(m *messaging, msg history.Message, base int64, o outcome) {
	err := c.storeDo(m, false, func(st *history.Store, b int64) error {
		if b != base {
			return nil // the message is in a store given up on
		}
		ctx := context.Background()
		switch o.status {
		case MsgSent:
			return st.MarkSent(ctx, msg.ID, o.code)
		case MsgStored:
			return st.MarkStored(ctx, msg.ID, o.code)
		}
		if o.refused && msg.CallID != "" {
			if err := st.SetCallID(ctx, msg.ID, msg.CallID, msg.FromTag, msg.CSeq+1); err != nil {
				return err
			}
		}
		return st.MarkFailed(ctx, msg.ID, o.code, o.reason, o.retryAt)
	})
	if err != nil && !errors.Is(err, history.ErrNotFound) {
		c.opt.log.Warn("outbox: recording a send", "id", base+msg.ID, "status", o.status, "error", err)
	}
}

// RetryMessage sends a failed message again now, as the user asked. Only
// failed outgoing messages can be retried.
func (c *Client) RetryMessage(ctx context.Context, id string) error {
	m := c.box()
	st, row, err := m.store.row(id)
	if err != nil {
		return err
	}
	if err := st.Retry(ctx, row); err != nil {
		return err
	}
	m.kick()
	return nil
}

// DeleteMessage removes a message from the history, and from the outbox
// if it was still there. A send already on its way is not called back.
func (c *Client) DeleteMessage(ctx context.Context, id string) error {
	st, row, err := c.box().store.row(id)
	if err != nil {
		return err
	}
	return st.Delete(ctx, row)
}
