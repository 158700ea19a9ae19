package sipclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/pidf"
)

// watcher is someone subscribed to our presence: the notifier side of an
// RFC 6665 subscription that we answer directly (peer-to-peer).
type watcher struct {
	peer        identity.ID // who watches
	uri         string      // their From address, as written
	dlg         *dialog
	state       WatcherState // WatcherPending, WatcherActive or WatcherBlocked
	contentType string
	expiresAt   time.Time
	timer       *time.Timer
	sendMu      sync.Mutex // one NOTIFY at a time, so CSeq order is send order
	done        bool
}

// onSubscribe answers a SUBSCRIBE to our presence: a new subscription, a
// refresh, or an unsubscribe (Expires: 0).
func (c *Client) onSubscribe(req *sip.Request, tx sip.ServerTransaction) {
	if !c.checkSubscribe(req, tx) {
		return
	}
	ct, ok := chooseFormat(headerValue(req, "Accept"))
	if !ok {
		c.respond(req, tx, 406, "Not Acceptable", "Accept", pidf.ContentTypePIDF+", "+pidf.ContentTypeCPIM)
		return
	}
	expires, ok := c.grantExpires(req, tx)
	if !ok {
		return
	}
	if tag := tagOf(req.To().Params); tag != "" {
		c.refreshWatcher(req, tx, dialogKey{req.CallID().Value(), tag}, expires)
		return
	}
	c.newWatcher(req, tx, ct, expires)
}

func (c *Client) checkSubscribe(req *sip.Request, tx sip.ServerTransaction) bool {
	ev := headerValue(req, "Event")
	switch {
	case ev == "":
		c.respond(req, tx, 400, "Missing Event Header")
	case eventPackage(ev) != "presence":
		c.respond(req, tx, 489, "Bad Event", "Allow-Events", "presence")
	default:
		return true
	}
	return false
}

// chooseFormat picks the body format from Accept: PIDF unless the watcher
// only takes the legacy CPIM-PIDF (RFC 3856 6.6: no Accept means PIDF).
func chooseFormat(accept string) (string, bool) {
	if accept == "" {
		return pidf.ContentTypePIDF, true
	}
	cpim := false
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case pidf.ContentTypePIDF, "*/*", "application/*":
			return pidf.ContentTypePIDF, true
		case pidf.ContentTypeCPIM:
			cpim = true
		}
	}
	if cpim {
		return pidf.ContentTypeCPIM, true
	}
	return "", false
}

// grantExpires applies our limits to the requested duration: capped at the
// maximum, 423 below the minimum (RFC 6665 4.2.1.1).
func (c *Client) grantExpires(req *sip.Request, tx sip.ServerTransaction) (int, bool) {
	n, present, err := expiresHeader(req)
	if err != nil {
		c.respond(req, tx, 400, "Bad Expires")
		return 0, false
	}
	if !present {
		n = c.opt.maxExpires
	}
	if n > 0 && n < c.opt.minExpires {
		c.respond(req, tx, 423, "Interval Too Brief", "Min-Expires", strconv.Itoa(c.opt.minExpires))
		return 0, false
	}
	return min(n, c.opt.maxExpires), true
}

func (c *Client) newWatcher(req *sip.Request, tx sip.ServerTransaction, ct string, expires int) {
	target, ok := contactURI(req)
	if !ok {
		c.respond(req, tx, 400, "Missing Contact")
		return
	}
	peer, err := peerOf(req.From().Address)
	if err != nil {
		c.respond(req, tx, 400, "Bad From")
		return
	}
	w := &watcher{peer: peer, uri: fromAOR(req), contentType: ct, dlg: c.uasDialog(req, target)}
	w.state = c.decide(w.peer)
	c.mu.Lock()
	if expires > 0 && len(c.watchers) >= c.opt.maxWatchers {
		c.mu.Unlock()
		c.opt.log.Warn("subscription refused: too many watchers", "from", w.uri, "limit", c.opt.maxWatchers)
		c.respond(req, tx, 503, "Too Many Watchers", "Retry-After", "300")
		return
	}
	if expires > 0 {
		c.watchers[w.dlg.key()] = w
		c.armWatcherExpiry(w, expires)
	}
	c.mu.Unlock()
	c.acceptSubscribe(req, tx, w.dlg.localTag, expires)
	c.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: w.state, Expires: expires})
	if expires == 0 { // a one-off fetch: one NOTIFY and done
		go c.endWatcher(w, "timeout")
		return
	}
	go c.notifyWatcher(w)
}

// uasDialog builds our side of a dialog created by an incoming request.
func (c *Client) uasDialog(req *sip.Request, target sip.Uri) *dialog {
	from := req.From()
	return &dialog{
		callID: req.CallID().Value(), localTag: sip.GenerateTagN(16), remoteTag: tagOf(from.Params),
		localURI: c.aor, localName: c.cfg.DisplayName,
		remoteURI: *from.Address.Clone(), remoteName: from.DisplayName,
		remoteTarget: target, routeSet: routeSetFrom(req, false),
		localCSeq: uint32(time.Now().UnixNano()%10000) + 1,
		transport: strings.ToUpper(req.Transport()), source: req.Source(),
	}
}

func (c *Client) acceptSubscribe(req *sip.Request, tx sip.ServerTransaction, tag string, expires int) {
	res := sip.NewResponseFromRequest(req, 202, "Accepted", nil)
	res.To().Params.Add("tag", tag)
	addReceived(req, res)
	res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	res.AppendHeader(sip.NewHeader("Event", "presence"))
	res.AppendHeader(sip.NewHeader("Allow-Events", "presence"))
	res.AppendHeader(c.contactHeader(strings.ToUpper(req.Transport())))
	c.send(tx, res)
}

// decide asks the contact book what who may see.
func (c *Client) decide(who identity.ID) WatcherState {
	return watcherState(c.opt.book.WatcherDecision(who))
}

func watcherState(d Decision) WatcherState {
	switch d {
	case Block:
		return WatcherBlocked
	case Ask:
		return WatcherPending
	}
	return WatcherActive
}

func (c *Client) refreshWatcher(req *sip.Request, tx sip.ServerTransaction, key dialogKey, expires int) {
	c.mu.Lock()
	w := c.watchers[key]
	if w != nil && expires > 0 {
		c.armWatcherExpiry(w, expires)
	}
	c.mu.Unlock()
	if w == nil {
		c.respond(req, tx, 481, "Subscription Does Not Exist")
		return
	}
	if u, ok := contactURI(req); ok {
		c.mu.Lock()
		w.dlg.remoteTarget = u
		c.mu.Unlock()
	}
	c.acceptSubscribe(req, tx, key.localTag, expires)
	if expires == 0 {
		go c.endWatcher(w, "timeout")
		return
	}
	go c.notifyWatcher(w)
}

// armWatcherExpiry (re)starts w's expiry timer. Caller holds c.mu.
func (c *Client) armWatcherExpiry(w *watcher, expires int) {
	w.expiresAt = time.Now().Add(time.Duration(expires) * time.Second)
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() { c.endWatcher(w, "timeout") })
}

// notifyWatcher sends w our current state in its dialog.
func (c *Client) notifyWatcher(w *watcher) {
	c.sendNotify(w, "")
}

// endWatcher sends the final NOTIFY (terminated with reason) and forgets w.
func (c *Client) endWatcher(w *watcher, reason string) {
	c.mu.Lock()
	delete(c.watchers, w.dlg.key())
	if w.timer != nil {
		w.timer.Stop()
	}
	already := w.done
	w.done = true
	c.mu.Unlock()
	if already {
		return
	}
	// The subscription is over now, whether or not the watcher answers
	// the final NOTIFY (it may be gone: that can take 32 s to learn).
	c.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: WatcherTerminated, Reason: reason})
	c.sendNotify(w, reason)
}

// sendNotify sends one NOTIFY; terminateReason != "" makes it the final one.
// A NOTIFY refused with 481 or unanswered ends the subscription (RFC 6665
// 4.2.2).
func (c *Client) sendNotify(w *watcher, terminateReason string) {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	req, err := c.buildNotify(w, terminateReason)
	if err != nil {
		c.emit(Diagnostic{What: "notify", Peer: w.peer, URI: w.uri, Detail: err.Error()})
		return
	}
	_, err = c.do(c.ctx, req)
	if err == nil || terminateReason != "" {
		return
	}
	var re *ResponseError
	if errors.As(err, &re) && re.Code != 481 && re.Code != 408 && re.Code < 500 {
		c.emit(Diagnostic{What: "notify", Peer: w.peer, URI: w.uri, Detail: err.Error()})
		return
	}
	c.mu.Lock()
	delete(c.watchers, w.dlg.key())
	w.done = true
	c.mu.Unlock()
	c.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: WatcherTerminated, Reason: err.Error()})
}

func (c *Client) buildNotify(w *watcher, terminateReason string) (*sip.Request, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := c.dialogRequest(w.dlg, sip.NOTIFY)
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Subscription-State", subscriptionState(w, terminateReason)))
	if w.state == WatcherPending && terminateReason == "" {
		req.SetBody(nil) // RFC 3856 6.6.2: no state for a pending watcher
		return req, nil
	}
	p := c.presence
	if w.state != WatcherActive || c.closed {
		p = Presence{Status: StatusOffline}
	}
	if err := setPresenceBody(req, p, c.aor.String(), c.contact.String(), w.contentType); err != nil {
		return nil, err
	}
	return req, nil
}

func subscriptionState(w *watcher, terminateReason string) string {
	if terminateReason != "" {
		return "terminated;reason=" + terminateReason
	}
	left := max(int(time.Until(w.expiresAt).Seconds()), 0)
	state := "active"
	if w.state == WatcherPending {
		state = "pending"
	}
	return state + ";expires=" + strconv.Itoa(left)
}

// SetPresence changes our own status and note and notifies every watcher
// in the background. Each NOTIFY carries the presence current when it is
// built, so a quick succession of changes still ends on the last one.
func (c *Client) SetPresence(ctx context.Context, p Presence) error {
	if strings.ContainsRune(p.Note, 0) {
		return ErrInvalidText
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	c.presence = p
	ws := c.watcherList()
	c.mu.Unlock()
	go parallel(ws, 128, c.notifyWatcher)
	c.publish(pubModify)
	return nil
}

// Presence returns our own current presence.
func (c *Client) Presence() Presence {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.presence
}

// watcherList snapshots the watchers. Caller holds c.mu.
func (c *Client) watcherList() []*watcher {
	out := make([]*watcher, 0, len(c.watchers))
	for _, w := range c.watchers {
		out = append(out, w)
	}
	return out
}

// AuthorizeWatcher applies the user's answer about who to their current
// subscriptions: Allow shows our status, Block shows us offline. The
// answer itself is remembered by the contact book, which the core asks
// for every new subscription; this only acts on those already here. The
// NOTIFYs go out in the background.
func (c *Client) AuthorizeWatcher(who identity.ID, d Decision) error {
	if who.IsZero() {
		return fmt.Errorf("%w: no watcher named", ErrInvalidURI)
	}
	c.mu.Lock()
	var changed []*watcher
	for _, w := range c.watchers {
		if w.peer == who {
			w.state = watcherState(d)
			changed = append(changed, w)
		}
	}
	c.mu.Unlock()
	for _, w := range changed {
		c.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: w.state})
	}
	c.setRule(who, d) // and the same at the server, for those who ask it
	go parallel(changed, 32, c.notifyWatcher)
	return nil
}

func (c *Client) terminateWatchers(ctx context.Context, reason string) {
	c.mu.Lock()
	ws := c.watcherList()
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		parallel(ws, 128, func(w *watcher) { c.endWatcher(w, reason) })
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// parallel runs f over items with at most n at once and waits for all.
func parallel[T any](items []T, n int, f func(T)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(it)
		}()
	}
	wg.Wait()
}
