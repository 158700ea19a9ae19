package sipclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/pidf"
)

// presentity is us as peers watch us directly (RFC 3856 notifier, RFC
// 6665): our current presence, the subscriptions to it with their dialogs
// and expiry timers (at most max at once), and the NOTIFYs that tell each
// watcher what it may see. Its lock guards the presence, the watchers and
// each watcher's dialog and state.
type presentity struct {
	ua      dialogSeam
	ctx     context.Context // bounds every NOTIFY; ends at Close
	aor     sip.Uri         // us: From of our NOTIFYs, the PIDF entity
	display string
	contact string // the PIDF contact
	book    Book   // who may see what
	log     *slog.Logger
	minExp  int // below this a SUBSCRIBE gets 423
	maxExp  int // what a watcher gets at most
	max     int // watchers held at once; beyond, 503

	mu       sync.Mutex
	presence Presence
	watchers map[dialogKey]*watcher
}

// newPresentity sets up aor as presentity showing initial, with the
// limits and the book of o; its NOTIFYs end with ctx.
func newPresentity(ctx context.Context, ua dialogSeam, aor sip.Uri, display, contact string, initial Presence, o *options) *presentity {
	return &presentity{ua: ua, ctx: ctx, aor: aor, display: display, contact: contact, book: o.book, log: o.log,
		minExp: o.minExpires, maxExp: o.maxExpires, max: o.maxWatchers,
		presence: initial, watchers: map[dialogKey]*watcher{}}
}

// watcher is someone subscribed to our presence: the notifier side of an
// RFC 6665 subscription that we answer directly (peer-to-peer). Its
// fields but sendMu are guarded by its presentity's lock.
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

// SetPresence changes our own status and note, notifies every watcher
// and publishes the change at the server. Each NOTIFY carries the
// presence current when it is built, so a quick succession of changes
// still ends on the last one.
//
// ctx bounds only the call: a ctx already done refuses the change with
// ctx.Err(), and nothing is changed or sent. Otherwise SetPresence returns
// once the change is made, without waiting for the NOTIFYs and the PUBLISH
// it starts: those go on in the background, each bounded by the request
// timeout and by Close, and what becomes of them arrives as events
// (WatcherChanged, PublicationChanged, Diagnostic). It does not wait
// because the UI calls it from its event thread, where a watcher that is
// gone would hold a NOTIFY, and the window, for the whole request timeout.
func (c *Client) SetPresence(ctx context.Context, p Presence) error {
	if strings.ContainsRune(p.Note, 0) {
		return ErrInvalidText
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.isClosed() {
		return ErrClosed
	}
	c.presentity.set(p)
	c.publish(pubModify)
	return nil
}

// Presence returns our own current presence.
func (c *Client) Presence() Presence { return c.presentity.current() }

// AuthorizeWatcher applies the user's answer about who to their current
// subscriptions: Allow shows our status, Block shows us offline. The
// answer itself is remembered by the contact book, which the core asks
// for every new subscription; this only acts on those already here. The
// NOTIFYs go out in the background.
func (c *Client) AuthorizeWatcher(who identity.ID, d Decision) error {
	if who.IsZero() {
		return fmt.Errorf("%w: no watcher named", ErrInvalidURI)
	}
	c.presentity.authorize(who, d)
	c.setRule(who, d) // and the same at the server, for those who ask it
	return nil
}

// EndWatcher ends who's subscriptions to our presence at once: each gets
// a final NOTIFY, terminated with reason "rejected" (RFC 6665: the
// authorization was withdrawn; do not subscribe again). It does not
// change any answer: the contact book keeps those. The NOTIFYs go out in
// the background.
func (c *Client) EndWatcher(who identity.ID) error {
	if who.IsZero() {
		return fmt.Errorf("%w: no watcher named", ErrInvalidURI)
	}
	if c.ctx.Err() != nil {
		return ErrClosed
	}
	c.presentity.endWatcher(who, "rejected")
	// The server's rule follows the book, which the caller changed first
	// (Revoke forgets the answer): else the server lets them back in.
	c.setRule(who, c.opt.book.WatcherDecision(who))
	return nil
}

// onSubscribe answers a SUBSCRIBE to our presence: a new subscription, a
// refresh, or an unsubscribe (Expires: 0).
func (p *presentity) onSubscribe(req *sip.Request, tx sip.ServerTransaction) {
	if peer, err := peerOf(req.From().Address); err == nil {
		p.ua.heardFrom(peer)
	}
	if !p.checkSubscribe(req, tx) {
		return
	}
	ct, ok := chooseFormat(headerValue(req, "Accept"))
	if !ok {
		p.ua.respond(req, tx, 406, "Not Acceptable", "Accept", presenceFormats)
		return
	}
	expires, ok := p.grantExpires(req, tx)
	if !ok {
		return
	}
	if tag := tagOf(req.To().Params); tag != "" {
		p.refresh(req, tx, dialogKey{req.CallID().Value(), tag}, expires)
		return
	}
	p.subscribed(req, tx, ct, expires)
}

func (p *presentity) checkSubscribe(req *sip.Request, tx sip.ServerTransaction) bool {
	ev := headerValue(req, "Event")
	switch {
	case ev == "":
		p.ua.respond(req, tx, 400, "Missing Event Header")
	case eventPackage(ev) != "presence":
		p.ua.respond(req, tx, 489, "Bad Event", "Allow-Events", "presence")
	default:
		return true
	}
	return false
}

// chooseFormat picks the body format from Accept: PIDF unless the watcher
// takes only the legacy CPIM-PIDF, or only XPIDF (Asterisk, older desk
// phones), of the three; RFC 3856 6.6: no Accept means PIDF.
func chooseFormat(accept string) (string, bool) {
	if accept == "" {
		return pidf.ContentTypePIDF, true
	}
	cpim, xpidf := false, false
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case pidf.ContentTypePIDF, "*/*", "application/*":
			return pidf.ContentTypePIDF, true
		case pidf.ContentTypeCPIM:
			cpim = true
		case pidf.ContentTypeXPIDF:
			xpidf = true
		}
	}
	switch {
	case cpim:
		return pidf.ContentTypeCPIM, true
	case xpidf:
		return pidf.ContentTypeXPIDF, true
	}
	return "", false
}

// grantExpires applies our limits to the requested duration: capped at the
// maximum, 423 below the minimum (RFC 6665 4.2.1.1).
func (p *presentity) grantExpires(req *sip.Request, tx sip.ServerTransaction) (int, bool) {
	n, present, err := expiresHeader(req)
	if err != nil {
		p.ua.respond(req, tx, 400, "Bad Expires")
		return 0, false
	}
	if !present {
		n = p.maxExp
	}
	if n > 0 && n < p.minExp {
		p.ua.respond(req, tx, 423, "Interval Too Brief", "Min-Expires", strconv.Itoa(p.minExp))
		return 0, false
	}
	return min(n, p.maxExp), true
}

// subscribed takes a new subscription to us, unless we hold as many as we
// may: then 503 with Retry-After, and no one is told.
func (p *presentity) subscribed(req *sip.Request, tx sip.ServerTransaction, ct string, expires int) {
	w, ok := p.newWatcher(req, tx, ct)
	if !ok {
		return
	}
	if !p.hold(w, expires) {
		p.log.Warn("subscription refused: too many watchers", "from", w.uri, "limit", p.max)
		p.ua.respond(req, tx, 503, "Too Many Watchers", "Retry-After", "300")
		return
	}
	p.accept(req, tx, w.dlg.localTag, expires)
	p.ua.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: w.state, Expires: expires})
	if expires == 0 { // a one-off fetch: one NOTIFY and done
		go p.end(w, "timeout")
		return
	}
	go p.notify(w)
}

// newWatcher reads who subscribes, and what the book lets them see.
func (p *presentity) newWatcher(req *sip.Request, tx sip.ServerTransaction, ct string) (*watcher, bool) {
	target, ok := contactURI(req)
	if !ok {
		p.ua.respond(req, tx, 400, "Missing Contact")
		return nil, false
	}
	peer, err := peerOf(req.From().Address)
	if err != nil {
		p.ua.respond(req, tx, 400, "Bad From")
		return nil, false
	}
	w := &watcher{peer: peer, uri: fromAOR(req), contentType: ct, dlg: p.uasDialog(req, target)}
	w.state = watcherState(p.book.WatcherDecision(w.peer))
	return w, true
}

// hold keeps w for expires seconds, false when we hold as many as we may.
// A one-off fetch (expires 0) is never held, and never refused.
func (p *presentity) hold(w *watcher, expires int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if expires == 0 {
		return true
	}
	if len(p.watchers) >= p.max {
		return false
	}
	p.watchers[w.dlg.key()] = w
	p.armExpiry(w, expires)
	return true
}

// uasDialog builds our side of a dialog created by an incoming request.
func (p *presentity) uasDialog(req *sip.Request, target sip.Uri) *dialog {
	from := req.From()
	// Kept for the subscription's life: owned copies (see ownURI).
	return &dialog{
		callID: strings.Clone(req.CallID().Value()), localTag: sip.GenerateTagN(16), remoteTag: strings.Clone(tagOf(from.Params)),
		localURI: &p.aor, localName: p.display,
		remoteURI: ownURI(from.Address), remoteName: strings.Clone(from.DisplayName),
		remoteTarget: target, routeSet: routeSetFrom(req, false),
		localCSeq: uint32(time.Now().UnixNano()%10000) + 1,
		transport: strings.ToUpper(req.Transport()), source: req.Source(),
	}
}

func (p *presentity) accept(req *sip.Request, tx sip.ServerTransaction, tag string, expires int) {
	p.ua.accept(req, tx, tag, "Expires", strconv.Itoa(expires), "Event", "presence", "Allow-Events", "presence")
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

// refresh answers a SUBSCRIBE in an existing dialog: a refresh, or with
// expires 0 an unsubscribe; 481 when the dialog is not ours.
func (p *presentity) refresh(req *sip.Request, tx sip.ServerTransaction, key dialogKey, expires int) {
	p.mu.Lock()
	w := p.watchers[key]
	if w != nil && expires > 0 {
		p.armExpiry(w, expires)
	}
	if u, ok := contactURI(req); ok && w != nil {
		w.dlg.remoteTarget = u
	}
	p.mu.Unlock()
	if w == nil {
		p.ua.respond(req, tx, 481, "Subscription Does Not Exist")
		return
	}
	p.accept(req, tx, key.localTag, expires)
	if expires == 0 {
		go p.end(w, "timeout")
		return
	}
	go p.notify(w)
}

// armExpiry (re)starts w's expiry timer. Caller holds p.mu.
func (p *presentity) armExpiry(w *watcher, expires int) {
	w.expiresAt = time.Now().Add(time.Duration(expires) * time.Second)
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = time.AfterFunc(time.Duration(expires)*time.Second, func() { p.end(w, "timeout") })
}

// notify sends w our current state in its dialog.
func (p *presentity) notify(w *watcher) {
	p.sendNotify(w, "")
}

// end sends the final NOTIFY (terminated with reason) and forgets w.
func (p *presentity) end(w *watcher, reason string) {
	p.mu.Lock()
	delete(p.watchers, w.dlg.key())
	if w.timer != nil {
		w.timer.Stop()
	}
	already := w.done
	w.done = true
	p.mu.Unlock()
	if already {
		return
	}
	// The subscription is over now, whether or not the watcher answers
	// the final NOTIFY (it may be gone: that can take 32 s to learn).
	p.ua.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: WatcherTerminated, Reason: reason})
	p.sendNotify(w, reason)
}

// sendNotify sends one NOTIFY; terminateReason != "" makes it the final one.
// A NOTIFY refused with 481 or unanswered ends the subscription (RFC 6665
// 4.2.2).
func (p *presentity) sendNotify(w *watcher, terminateReason string) {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	req, err := p.buildNotify(w, terminateReason)
	if err != nil {
		p.ua.emit(Diagnostic{What: "notify", Peer: w.peer, URI: w.uri, Detail: err.Error()})
		return
	}
	_, err = p.ua.do(p.ctx, req)
	if err == nil || terminateReason != "" {
		return
	}
	var re *ResponseError
	if errors.As(err, &re) && re.Code != 481 && re.Code != 408 && re.Code < 500 {
		p.ua.emit(Diagnostic{What: "notify", Peer: w.peer, URI: w.uri, Detail: err.Error()})
		return
	}
	p.mu.Lock()
	delete(p.watchers, w.dlg.key())
	w.done = true
	p.mu.Unlock()
	p.ua.emit(WatcherChanged{Peer: w.peer, URI: w.uri, State: WatcherTerminated, Reason: err.Error()})
}

func (p *presentity) buildNotify(w *watcher, terminateReason string) (*sip.Request, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.ua.dialogRequest(w.dlg, sip.NOTIFY)
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Subscription-State", subscriptionState(w, terminateReason)))
	if w.state == WatcherPending && terminateReason == "" {
		req.SetBody(nil) // RFC 3856 6.6.2: no state for a pending watcher
		return req, nil
	}
	shown := p.presence
	if w.state != WatcherActive || p.ua.isClosed() {
		shown = Presence{Status: StatusOffline}
	}
	if err := setPresenceBody(req, shown, p.aor.String(), p.contact, w.contentType); err != nil {
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

// set makes pr our presence and notifies every watcher in the background.
func (p *presentity) set(pr Presence) {
	p.mu.Lock()
	p.presence = pr
	ws := p.list()
	p.mu.Unlock()
	go parallel(ws, 128, p.notify)
}

// current is our presence.
func (p *presentity) current() Presence {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.presence
}

// list snapshots the watchers. Caller holds p.mu.
func (p *presentity) list() []*watcher {
	out := make([]*watcher, 0, len(p.watchers))
	for _, w := range p.watchers {
		out = append(out, w)
	}
	return out
}

// authorize applies the user's answer d about who to their subscriptions
// here, tells of each, and notifies them in the background.
func (p *presentity) authorize(who identity.ID, d Decision) {
	p.mu.Lock()
	var changed []*watcher
	var events []WatcherChanged
	for _, w := range p.watchers {
		if w.peer == who {
			w.state = watcherState(d)
			changed = append(changed, w)
			events = append(events, WatcherChanged{Peer: w.peer, URI: w.uri, State: w.state})
		}
	}
	p.mu.Unlock()
	for _, ev := range events {
		p.ua.emit(ev)
	}
	go parallel(changed, 32, p.notify)
}

// endWatcher ends every subscription of who with reason, in the
// background.
func (p *presentity) endWatcher(who identity.ID, reason string) {
	p.mu.Lock()
	var ws []*watcher
	for _, w := range p.watchers {
		if w.peer == who {
			ws = append(ws, w)
		}
	}
	p.mu.Unlock()
	go parallel(ws, 32, func(w *watcher) { p.end(w, reason) })
}

// stop ends every subscription to us with a final NOTIFY (terminated with
// reason), waiting for them as long as ctx lets it.
func (p *presentity) stop(ctx context.Context, reason string) {
	p.mu.Lock()
	ws := p.list()
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		parallel(ws, 128, func(w *watcher) { p.end(w, reason) })
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
