package sipclient

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/cpim"
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

// start opens the store, unless WithStore gave one, and starts the
// outbox loop, which at once sends what a previous run left pending. It
// runs once, at the first use; after halt it leaves the store closed, so
// every call reports ErrClosed.
func (p *pager) start() {
	p.once.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed {
			return
		}
		if err := p.openStore(); err != nil {
			p.log.Error("no message store", "error", err)
			return
		}
		p.done = make(chan struct{})
		go p.loop()
	})
}

func (p *pager) openStore() error {
	if p.given != nil {
		p.store.cur = p.given
		return nil
	}
	mem, err := history.OpenMemory(p.ctx)
	if err != nil {
		return err
	}
	p.store.cur, p.store.owned = mem, []*history.Store{mem}
	return nil
}

// halt takes no new work: what runs goes on until the context ends.
func (p *pager) halt() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.typing.stop()
}

// wait waits, once the context has ended, for the loop to finish the work
// in progress and close the store.
func (p *pager) wait() {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done != nil {
		<-done
	}
}

// enter registers work that uses the store; false once halted.
func (p *pager) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.work.Add(1)
	return true
}

// loop sends due messages until the context ends, then waits for the work
// in progress and closes the store if it opened it. It does not poll: it
// wakes when kicked (a message queued, a retry asked for, a send ended
// with the outbox full, the registration back) and when the timer set to
// the next retry time fires. Idle, it runs no SQL at all.
func (p *pager) loop() {
	defer close(p.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	// At start, whatever waits for a retry goes out at once: the previous
	// run's backoff says nothing about the network now.
	p.sendDue(time.Now().Add(100 * 365 * 24 * time.Hour))
	p.arm(timer, time.Now())
	for {
		select {
		case <-p.ctx.Done():
			p.work.Wait()
			if err := p.store.close(); err != nil {
				p.log.Warn("closing the message store", "error", err)
			}
			return
		case <-timer.C:
		case <-p.wake:
		}
		now := time.Now()
		p.sendDue(now)
		p.arm(timer, now)
	}
}

// arm sets timer to the next retry time after now, or stops it if no
// message waits for one. A failure to read retries after a while, as the
// ticker this replaced did.
func (p *pager) arm(timer *time.Timer, now time.Time) {
	timer.Stop()
	next, err := p.nextRetry(now)
	switch {
	case err != nil:
		if p.ctx.Err() == nil {
			p.log.Warn("outbox: reading the next retry time", "error", err)
		}
		timer.Reset(time.Second)
	case !next.IsZero():
		timer.Reset(max(time.Until(next), 0))
	}
}

func (p *pager) nextRetry(now time.Time) (time.Time, error) {
	ctx, cancel := context.WithTimeout(p.ctx, storeTimeout)
	defer cancel()
	var next time.Time
	err := p.store.do(ctx, false, func(st *history.Store, _ int64) (err error) {
		p.outboxReads.Add(1)
		next, err = st.NextRetry(ctx, now)
		return err
	})
	return next, err
}

// kick has the outbox look for due messages now, starting it if need be.
func (p *pager) kick() {
	p.start()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// sendDue starts a send for each message due at now not already on its
// way.
func (p *pager) sendDue(now time.Time) {
	room := maxInFlight - p.inFlightCount()
	if room <= 0 {
		return
	}
	due, base, err := p.dueMessages(now, room)
	if err != nil {
		if p.ctx.Err() == nil {
			p.log.Warn("outbox: reading due messages", "error", err)
		}
		return
	}
	for _, msg := range due {
		if p.inFlightCount() >= maxInFlight {
			return
		}
		p.startSend(msg, base, now)
	}
}

// dueMessages reads up to room+maxInFlight due messages of this client's,
// paging past those another identity sharing the store sends (bounded, so
// a huge foreign queue costs a few pages a pass, not a stall).
func (p *pager) dueMessages(now time.Time, room int) ([]history.Message, int64, error) {
	ctx, cancel := context.WithTimeout(p.ctx, storeTimeout)
	defer cancel()
	want := room + maxInFlight
	var out []history.Message
	var base, after int64
	for range 64 {
		var page []history.Message
		err := p.store.do(ctx, false, func(st *history.Store, b int64) (err error) {
			base = b
			p.outboxReads.Add(1)
			page, err = st.DueAfter(ctx, now, after, want)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		for _, msg := range page {
			if p.sendsTo == nil || p.sendsTo(peerAOR(msg)) {
				out = append(out, msg)
			}
		}
		if len(page) < want || len(out) >= want || p.sendsTo == nil {
			break
		}
		after = page[len(page)-1].ID
	}
	return out, base, nil
}

func (p *pager) inFlightCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.flying)
}

// claim marks id as being sent. If it already is, it returns false and a
// channel that closes when that send ends.
func (p *pager) claim(id MessageID) (bool, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if busy, ok := p.flying[id]; ok {
		return false, busy
	}
	p.flying[id] = make(chan struct{})
	return true, nil
}

// awaitClaim claims id, waiting while another send has it.
func (p *pager) awaitClaim(ctx context.Context, id MessageID) error {
	for {
		ok, busy := p.claim(id)
		if ok {
			return nil
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *pager) release(id MessageID) {
	p.mu.Lock()
	full := len(p.flying) >= maxInFlight
	close(p.flying[id])
	delete(p.flying, id)
	p.mu.Unlock()
	if full {
		p.kick() // the outbox may have left due messages for want of room
	}
}

// startSend sends msg in the background unless it is already on its way
// or, read again once claimed, is no longer due at now: the copy sendDue
// read may predate an attempt that finished since, and sending that copy
// would repeat the attempt with its stale CSeq.
func (p *pager) startSend(msg history.Message, base int64, now time.Time) {
	id := MessageID(base + msg.ID)
	if ok, _ := p.claim(id); !ok {
		return
	}
	if !p.enter() {
		p.release(id)
		return
	}
	go func() {
		defer p.work.Done()
		defer p.release(id)
		cur, due, err := p.stillDue(msg.ID, base, now)
		switch {
		case due:
			p.attempt(cur, base)
		case err != nil && !errors.Is(err, history.ErrNotFound):
			p.log.Warn("outbox: reading a message before sending", "id", id, "error", err)
		}
	}()
}

// stillDue reads message row of the store at base again and reports
// whether it is due at now. A message deleted meanwhile, or left in a
// store given up on, is ErrNotFound.
func (p *pager) stillDue(row, base int64, now time.Time) (history.Message, bool, error) {
	var cur history.Message
	err := p.storeDo(false, func(st *history.Store, b int64) (err error) {
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
func (p *pager) attempt(msg history.Message, base int64) Delivery {
	id := MessageID(base + msg.ID)
	req, err := p.outboxRequest(msg, base)
	var res *sip.Response
	if err == nil {
		p.typing.hold(msg.Peer)
		res, err = p.ua.do(p.ctx, req)
		if plainAfterAll(req, err) {
			res, err = p.resendPlain(&msg, base)
		}
		p.typing.release(msg.Peer, err == nil)
		if err == nil {
			p.caps.learnAccept(msg.Peer, headerValue(res, "Accept"))
		}
	}
	if p.ctx.Err() != nil || errors.Is(err, ErrClosed) {
		return Delivery{ID: id, Status: MsgFailed, Code: 503, Reason: ErrClosed.Error()}
	}
	o := p.classify(res, err, msg.Attempts+1)
	if now := p.record(msg, base, o); now != o.status {
		// A receipt came first and was announced: it stands.
		return Delivery{ID: id, Status: now, Code: o.code}
	}
	d := Delivery{ID: id, Status: o.status, Code: o.code, Reason: o.reason}
	p.ua.emit(MessageStatus{ID: id, Peer: msg.Peer, To: peerAOR(msg), Status: o.status, Code: o.code, Reason: o.reason, RetryAt: o.retryAt})
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
func (p *pager) outboxRequest(msg history.Message, base int64) (*sip.Request, error) {
	req, err := p.messageRequest(msg.PeerURI, msg.Text)
	if err != nil {
		return nil, err
	}
	if msg.CallID == "" {
		callID, tag, cseq := sipIDs(req)
		err := p.storeDo(false, func(st *history.Store, b int64) error {
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
	if msg.CPIM && p.caps.get(msg.Peer).IMDN != history.SupportNo {
		if err := wrapCPIM(req, msg); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// plainAfterAll reports a CPIM message the peer refused with 415: it
// takes plain text only.
func plainAfterAll(req *sip.Request, err error) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Code == 415 && mediaType(req) == cpim.ContentType
}

// resendPlain sends msg again, at once, as text/plain (the next CSeq of
// its Call-ID), and remembers that its peer takes nothing else.
func (p *pager) resendPlain(msg *history.Message, base int64) (*sip.Response, error) {
	p.caps.update(msg.Peer, true, func(c *history.Caps) { c.IMDN = history.SupportNo })
	msg.CSeq++
	err := p.storeDo(false, func(st *history.Store, b int64) error {
		if b != base {
			return nil
		}
		return st.SetCallID(context.Background(), msg.ID, msg.CallID, msg.FromTag, msg.CSeq)
	})
	if err != nil {
		return nil, err
	}
	req, err := p.outboxRequest(*msg, base)
	if err != nil {
		return nil, err
	}
	return p.ua.do(p.ctx, req)
}

func sipIDs(req *sip.Request) (callID, tag string, cseq uint32) {
	return req.CallID().Value(), tagOf(req.From().Params), req.CSeq().SeqNo
}

// storeDo runs f on the store with a context of its own: a write that
// records what happened on the wire must not be cut short by Close. f
// takes no context; only a fallback, which opens a store, is bounded
// (chatStore.fallback), so an incoming message costs no timer here.
func (p *pager) storeDo(retry bool, f func(st *history.Store, base int64) error) error {
	return p.store.do(context.Background(), retry, f)
}

// outcome is what one send attempt comes to.
type outcome struct {
	status  history.State // MsgSent, MsgStored or MsgFailed
	reason  string
	code    int
	retryAt time.Time // zero: no automatic resend
	refused bool      // a final answer came: the next attempt is a new request
}

// classify reads a send's result. attempts counts this one.
func (p *pager) classify(res *sip.Response, err error, attempts int) outcome {
	var re *ResponseError
	switch {
	case err == nil && res.StatusCode == 202:
		return outcome{status: MsgStored, code: res.StatusCode, reason: res.Reason}
	case err == nil:
		return outcome{status: MsgSent, code: res.StatusCode, reason: res.Reason}
	case errors.As(err, &re):
		o := outcome{status: MsgFailed, code: re.Code, reason: re.Reason, refused: true}
		if ra := retryAfter(res); transient(re.Code, ra > 0) {
			o.retryAt = time.Now().Add(p.retryDelay(attempts, ra))
		}
		return o
	case errors.Is(err, ErrNoResponse):
		return outcome{status: MsgFailed, code: 408, reason: "no answer from the peer",
			retryAt: time.Now().Add(p.retryDelay(attempts, 0))}
	case errors.Is(err, ErrInvalidURI), errors.Is(err, ErrInvalidText), errors.Is(err, ErrBodyTooLarge):
		return outcome{status: MsgFailed, code: 0, reason: err.Error()}
	}
	// Not reachable (refused, no route, DNS): the peer may come up.
	return outcome{status: MsgFailed, code: 503, reason: err.Error(),
		retryAt: time.Now().Add(p.retryDelay(attempts, 0))}
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
func (p *pager) retryDelay(attempts int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	b := p.backoff
	return b[min(max(attempts, 1), len(b))-1]
}

// record writes an attempt's outcome to the store and returns the state
// the message is in now: the peer's receipt may have come first, and a
// message it confirmed stays delivered or read. After a refusal the next
// attempt goes out as a new request (next CSeq): the peer has not taken
// this one, and some UAS refuse a copy of a request they refused.
func (p *pager) record(msg history.Message, base int64, o outcome) history.State {
	now := o.status
	err := p.storeDo(false, func(st *history.Store, b int64) (err error) {
		if b != base {
			return nil // the message is in a store given up on
		}
		ctx := context.Background()
		if o.status == MsgFailed && o.refused && msg.CallID != "" {
			if err := st.SetCallID(ctx, msg.ID, msg.CallID, msg.FromTag, msg.CSeq+1); err != nil {
				return err
			}
		}
		now, err = st.Mark(ctx, msg.ID, o.status, o.code, o.reason, o.retryAt)
		return err
	})
	if !o.retryAt.IsZero() {
		p.kick() // the outbox sets its timer to the new retry time
	}
	if err != nil && !errors.Is(err, history.ErrNotFound) {
		p.log.Warn("outbox: recording a send", "id", base+msg.ID, "status", o.status, "error", err)
	}
	if now == "" {
		now = o.status
	}
	return now
}

// retry sends a failed message again now.
func (p *pager) retry(ctx context.Context, id MessageID) error {
	p.start()
	st, row, err := p.store.row(id)
	if err != nil {
		return err
	}
	if err := st.Retry(ctx, row); err != nil {
		return err
	}
	p.kick()
	return nil
}

// remove deletes a message from the history and the outbox.
func (p *pager) remove(ctx context.Context, id MessageID) error {
	p.start()
	st, row, err := p.store.row(id)
	if err != nil {
		return err
	}
	return st.Delete(ctx, row)
}
