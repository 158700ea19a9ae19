package sipclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/winfo"
)

// subscription is our watch on one contact's presence (RFC 3856, 6665).
// It survives failures: a failed or terminated dialog is replaced by a new
// SUBSCRIBE after a backoff, until Unsubscribe.
type subscription struct {
	peer       identity.ID // who we watch
	uri        string      // the address we were asked to watch, as given
	target     sip.Uri
	dlg        *dialog // current dialog, nil between attempts
	state      SubscriptionState
	expires    int // what we ask for; 423 may raise it
	timer      *time.Timer
	attempt    int
	lastNotify time.Time
	lastBasic  Basic
	ended      bool
	event      string         // "presence", or "presence.winfo" for our own watcher list
	winfo      *winfo.Tracker // the watcher list so far (presence.winfo only)
}

// subKey names a subscription in Client.subs: one per person and event
// package (our own presence.winfo is the only other one).
type subKey struct {
	event string
	peer  identity.ID
}

func (s *subscription) key() subKey { return subKey{s.event, s.peer} }

// Event packages we subscribe to.
const (
	eventPresence = "presence"
	eventWinfo    = "presence.winfo"
)

// Subscribe starts watching uri's presence. It returns at once; progress
// arrives as SubscriptionChanged and PresenceChanged events. Subscribing to
// a contact already watched does nothing.
func (c *Client) Subscribe(ctx context.Context, uri string) error {
	target, err := ParseURI(uri)
	if err != nil {
		return err
	}
	peer, err := peerOf(target)
	if err != nil {
		return err
	}
	s := &subscription{peer: peer, uri: aorString(target), target: target, expires: c.opt.subExpires,
		lastBasic: BasicUnknown, event: eventPresence}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if _, ok := c.subs[s.key()]; ok {
		return nil
	}
	c.subs[s.key()] = s
	go c.sendSubscribe(s, false)
	return nil
}

// Subscriptions lists the contacts being watched.
func (c *Client) Subscriptions() []SubscriptionChanged {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SubscriptionChanged, 0, len(c.subs))
	for _, s := range c.subs {
		if s.event != eventPresence {
			continue
		}
		out = append(out, SubscriptionChanged{Peer: s.peer, URI: s.uri, State: s.state, Expires: s.expires, LastNotify: s.lastNotify})
	}
	return out
}

// sendSubscribe sends an initial SUBSCRIBE (new dialog) or, with refresh
// and an established dialog, an in-dialog refresh.
func (c *Client) sendSubscribe(s *subscription, refresh bool) {
	c.mu.Lock()
	if s.ended || c.closed {
		c.mu.Unlock()
		return
	}
	if !refresh || s.dlg == nil || s.dlg.remoteTag == "" {
		c.dropSubDialog(s)
		s.dlg = c.newSubDialog(s.target)
		c.subDlgs[s.dlg.key()] = s
	}
	dlg := s.dlg
	req := c.dialogRequest(dlg, sip.SUBSCRIBE)
	addSubscribeHeaders(req, s.event, s.expires)
	c.mu.Unlock()

	res, err := c.do(c.ctx, req)
	c.mu.Lock()
	dlg.syncCSeq(req)
	c.mu.Unlock()
	c.subscribeAnswered(s, dlg, refresh, res, err)
}

func addSubscribeHeaders(req *sip.Request, event string, expires int) {
	req.AppendHeader(sip.NewHeader("Event", event))
	if event == eventWinfo {
		req.AppendHeader(sip.NewHeader("Accept", winfo.ContentType))
	} else {
		req.AppendHeader(sip.NewHeader("Accept", "application/pidf+xml, application/cpim-pidf+xml"))
	}
	req.AppendHeader(sip.NewHeader("Allow-Events", "presence"))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
}

func (c *Client) newSubDialog(target sip.Uri) *dialog {
	callID, tag := sip.GenerateTagN(24), sip.GenerateTagN(16)
	if c.dialogIDs != nil {
		callID, tag = c.dialogIDs()
	}
	return &dialog{
		callID: callID, localTag: tag,
		localURI: c.aor, localName: c.cfg.DisplayName,
		remoteURI:    sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port},
		remoteTarget: target, transport: c.transportFor(target),
	}
}

// transportFor is the transport of a new request to target: the account's
// for server-bound requests, else what the URI or the config says.
func (c *Client) transportFor(target sip.Uri) string {
	if c.server != nil && c.server.viaServer(target) {
		return c.server.transport
	}
	return uriTransport(target, c.cfg.Transport)
}

// dropSubDialog forgets s's current dialog. Caller holds c.mu.
func (c *Client) dropSubDialog(s *subscription) {
	if s.dlg != nil {
		delete(c.subDlgs, s.dlg.key())
		s.dlg = nil
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

func (c *Client) subscribeAnswered(s *subscription, dlg *dialog, refresh bool, res *sip.Response, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.dlg != dlg {
		return // superseded while we waited
	}
	if s.ended {
		if err == nil {
			go c.sendUnsubscribe(context.Background(), s, dlg)
		}
		return
	}
	if err == nil {
		c.subscribeAccepted(s, dlg, res)
		return
	}
	var re *ResponseError
	if errors.As(err, &re) {
		switch {
		case re.Code == 423:
			if min, _, _ := minExpires(res); min > s.expires {
				s.expires = min
				go c.sendSubscribe(s, refresh)
				return
			}
		case re.Code == 481 && refresh:
			c.dropSubDialog(s)
			go c.sendSubscribe(s, false)
			return
		}
	}
	c.subscribeFailed(s, res, err)
}

func minExpires(res *sip.Response) (int, bool, error) {
	if res == nil {
		return 0, false, nil
	}
	v := headerValue(res, "Min-Expires")
	n, err := strconv.Atoi(v)
	return n, err == nil, err
}

// subscribeAccepted records what a 2xx to SUBSCRIBE tells about the dialog
// and schedules the refresh. Caller holds c.mu.
func (c *Client) subscribeAccepted(s *subscription, dlg *dialog, res *sip.Response) {
	if dlg.remoteTag == "" && res.To() != nil {
		dlg.remoteTag = tagOf(res.To().Params)
	}
	if u, ok := contactURI(res); ok {
		dlg.remoteTarget = u
	}
	if !dlg.confirmed {
		dlg.routeSet = routeSetFrom(res, true)
		dlg.confirmed = true
	}
	granted := s.expires
	if n, ok, err := expiresHeader(res); ok && err == nil {
		granted = n
	}
	s.attempt = 0
	c.scheduleSub(s, refreshDelay(granted), true)
}

// refreshDelay refreshes at 80% of the granted time, so a slow answer still
// lands before expiry.
func refreshDelay(sec int) time.Duration {
	d := time.Duration(sec) * time.Second * 4 / 5
	return max(d, 500*time.Millisecond)
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.retryMin << min(attempt, 20)
	if d <= 0 || d > c.opt.retryMax {
		d = c.opt.retryMax
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5 + 1))
	return d - d/10 + jitter
}

// scheduleSub arms s's single timer. Caller holds c.mu.
func (c *Client) scheduleSub(s *subscription, d time.Duration, refresh bool) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(d, func() { c.sendSubscribe(s, refresh) })
}

// subscribeFailed reports a failed SUBSCRIBE, marks the contact unknown
// (never a stale "online") and retries later. Caller holds c.mu.
func (c *Client) subscribeFailed(s *subscription, res *sip.Response, err error) {
	c.dropSubDialog(s)
	delay := c.backoff(s.attempt)
	s.attempt++
	if ra := retryAfter(res); ra > 0 {
		delay = ra
	}
	ev := SubscriptionChanged{Peer: s.peer, URI: s.uri, State: SubFailed, Reason: err.Error(), RetryIn: delay, LastNotify: s.lastNotify}
	var re *ResponseError
	if errors.As(err, &re) {
		ev.Code, ev.Reason = re.Code, re.Reason
	} else if errors.Is(err, ErrNoResponse) {
		ev.Reason = "no answer from the peer"
	}
	s.state = SubFailed
	c.emitSub(s, ev)
	c.markUnknown(s)
	c.scheduleSub(s, delay, false)
}

func retryAfter(res *sip.Response) time.Duration {
	if res == nil {
		return 0
	}
	v := headerValue(res, "Retry-After")
	if n := atoiOr(firstToken(v), -1); n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

func firstToken(v string) string {
	for i, r := range v {
		if r == ' ' || r == ';' || r == '(' {
			return v[:i]
		}
	}
	return v
}

// markUnknown reports the contact's presence as unknown once. Caller holds
// c.mu.
func (c *Client) markUnknown(s *subscription) {
	if s.lastBasic == BasicUnknown || s.event != eventPresence {
		return
	}
	s.lastBasic = BasicUnknown
	c.emit(PresenceChanged{Peer: s.peer, URI: s.uri, Basic: BasicUnknown, At: time.Now()})
}

// Unsubscribe stops watching who: a SUBSCRIBE with Expires: 0 in the
// dialog, if one is established.
func (c *Client) Unsubscribe(ctx context.Context, who identity.ID) error {
	return c.endSubscription(ctx, subKey{eventPresence, who})
}

// endSubscription ends the subscription kept under key in c.subs.
func (c *Client) endSubscription(ctx context.Context, key subKey) error {
	c.mu.Lock()
	s, ok := c.subs[key]
	if !ok {
		c.mu.Unlock()
		return ErrNotFound
	}
	delete(c.subs, key)
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	dlg := s.dlg
	c.mu.Unlock()
	c.emitSub(s, SubscriptionChanged{Peer: s.peer, URI: s.uri, State: SubTerminated, Reason: "unsubscribed"})
	if dlg == nil || dlg.remoteTag == "" {
		return nil // an answer still in flight sends the Expires: 0
	}
	return c.sendUnsubscribe(ctx, s, dlg)
}

// emitSub announces a subscription's state; the one to our own watcher
// list is internal and not announced.
func (c *Client) emitSub(s *subscription, ev SubscriptionChanged) {
	if s.event == eventPresence {
		c.emit(ev)
	}
}

func (c *Client) sendUnsubscribe(ctx context.Context, s *subscription, dlg *dialog) error {
	c.mu.Lock()
	if c.closed {
		c.finals[dlg.key()] = make(chan struct{})
	}
	req := c.dialogRequest(dlg, sip.SUBSCRIBE)
	addSubscribeHeaders(req, s.event, 0)
	c.mu.Unlock()
	_, err := c.do(ctx, req)
	// Keep the dialog known a little longer: the final NOTIFY is on its way.
	time.AfterFunc(5*time.Second, func() {
		c.mu.Lock()
		c.dropSubDialog(s)
		c.mu.Unlock()
	})
	return err
}

func (c *Client) unsubscribeAll(ctx context.Context) {
	c.mu.Lock()
	keys := make([]subKey, 0, len(c.subs))
	for k := range c.subs {
		keys = append(keys, k)
	}
	c.mu.Unlock()
	parallel(keys, 64, func(k subKey) {
		if err := c.endSubscription(ctx, k); err != nil {
			c.opt.log.Debug("unsubscribe at exit", "event", k.event, "peer", k.peer, "error", err)
		}
	})
	c.awaitFinals(ctx)
}

// awaitFinals waits (bounded by ctx) for the final NOTIFY of every
// subscription ended at exit, so each is answered before the sockets close.
func (c *Client) awaitFinals(ctx context.Context) {
	c.mu.Lock()
	chans := make([]chan struct{}, 0, len(c.finals))
	for _, ch := range c.finals {
		chans = append(chans, ch)
	}
	c.mu.Unlock()
	wait, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	for _, ch := range chans {
		select {
		case <-ch:
		case <-wait.Done():
			return
		}
	}
}

// finalArrived marks the final NOTIFY of an ended subscription answered.
// Caller holds c.mu.
func (c *Client) finalArrived(key dialogKey) {
	if ch, ok := c.finals[key]; ok {
		close(ch)
		delete(c.finals, key)
	}
}
