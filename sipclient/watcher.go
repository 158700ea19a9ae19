package sipclient

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/winfo"
)

// subscriptions are our watches on other people's presence (RFC 3856,
// 6665), and in server mode on our own watcher list (watcherinfo.go): one
// per person and event package, found by key for the API and by dialog
// for the NOTIFYs that come in (notify.go). Each subscription owns its
// dialog, timer and state under its own lock; the list's lock guards only
// the indexes (lock order: a subscription's, then the list's).
type subscriptions struct {
	ua      dialogSeam
	ctx     context.Context // bounds the SUBSCRIBE exchanges; ends at Close
	expires int             // what a new subscription asks for
	log     *slog.Logger
	book    Book                              // who may watch us (watcherinfo.go)
	setRule func(who identity.ID, d Decision) // the same answer at the server
	retry   retrySchedule                     // the wait after failures, per contact (retry.go)
	slots   *slots                            // new SUBSCRIBEs awaiting an answer at once
	list    *listWatch                        // the account's resource list, if any (rls.go)
	starts  startQueue                        // new subscriptions waiting for a slot (substart.go)

	mu       sync.Mutex
	byKey    map[subKey]*subscription
	byDialog map[dialogKey]*subscription
	finals   map[dialogKey]chan struct{} // final NOTIFYs awaited at exit
}

// newSubscriptions prepares an empty list whose SUBSCRIBEs ask for
// o.subExpires and end with ctx.
func newSubscriptions(ctx context.Context, ua dialogSeam, o *options, setRule func(identity.ID, Decision)) *subscriptions {
	return &subscriptions{ua: ua, ctx: ctx, expires: o.subExpires, log: o.log, book: o.book, setRule: setRule,
		retry: o.subRetry, slots: newSlots(o.maxPending, slotHold),
		byKey: map[subKey]*subscription{}, byDialog: map[dialogKey]*subscription{}, finals: map[dialogKey]chan struct{}{}}
}

// subscription is our watch on one contact's presence (or on our own
// watcher list). It survives failures: a failed or terminated dialog is
// replaced by a new SUBSCRIBE after a backoff, until it is ended.
type subscription struct {
	list   *subscriptions // its owner: the seam and the dialog index
	peer   identity.ID    // who we watch
	uri    string         // the address we were asked to watch, as given
	target sip.Uri
	event  string // "presence", or "presence.winfo" for our own watcher list

	mu         sync.Mutex
	dlg        *dialog // current dialog, nil between attempts
	state      SubscriptionState
	expires    int // what we ask for; 423 may raise it
	timer      *time.Timer
	retryAt    time.Time // when timer sends a new SUBSCRIBE after a failure; zero otherwise
	attempt    int       // failures in a row since the last sign of life
	lastNotify time.Time
	lastBasic  Basic
	lastSeen   time.Time // see PresenceChanged.LastSeen
	ended      bool
	winfo      *winfo.Tracker // the watcher list so far (presence.winfo only)
	rls        *listWatch     // set on the resource list subscription itself (rls.go)
	viaList    bool           // watched through the resource list: sends nothing (rls.go)
}

// subKey names a subscription in the list: one per person and event
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
//
// ctx bounds only the call, which sends nothing itself: the subscription
// lives until Unsubscribe or Close whatever becomes of ctx, so a ctx
// already done refuses it with ctx.Err(). The SUBSCRIBEs that follow are
// bounded by the request timeout and Close.
func (c *Client) Subscribe(ctx context.Context, uri string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	target, peer, err := parseTarget(uri)
	if err != nil {
		return err
	}
	return c.subs.add(peer, target, eventPresence)
}

// Subscriptions lists the contacts being watched.
func (c *Client) Subscriptions() []SubscriptionChanged { return c.subs.snapshot() }

// Unsubscribe stops watching who: a SUBSCRIBE with Expires: 0 in the
// dialog, if one is established, bounded by ctx.
func (c *Client) Unsubscribe(ctx context.Context, who identity.ID) error {
	return c.subs.end(ctx, subKey{eventPresence, who})
}

// add starts watching target for event, unless it is watched already. It
// returns at once: the SUBSCRIBE goes out in the background.
func (l *subscriptions) add(peer identity.ID, target sip.Uri, event string) error {
	s := &subscription{list: l, peer: peer, uri: aorString(target), target: target, event: event,
		expires: l.expires, lastBasic: BasicUnknown}
	if event == eventWinfo {
		s.winfo = &winfo.Tracker{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ua.isClosed() {
		return ErrClosed
	}
	if _, ok := l.byKey[s.key()]; ok {
		return nil
	}
	l.byKey[s.key()] = s
	if l.list.covers(s) {
		return nil
	}
	l.starts.push(s, l.serveStarts)
	return nil
}

// snapshot lists the presence subscriptions.
func (l *subscriptions) snapshot() []SubscriptionChanged {
	out := make([]SubscriptionChanged, 0)
	for _, s := range l.all() {
		if s.event != eventPresence || s.rls != nil {
			continue
		}
		s.mu.Lock()
		out = append(out, SubscriptionChanged{Peer: s.peer, URI: s.uri, State: s.state, Expires: s.expires, LastNotify: s.lastNotify})
		s.mu.Unlock()
	}
	return out
}

func (l *subscriptions) all() []*subscription {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*subscription, 0, len(l.byKey))
	for _, s := range l.byKey {
		out = append(out, s)
	}
	return out
}

// index files s under the dialog key k, for the NOTIFYs in it.
func (l *subscriptions) index(k dialogKey, s *subscription) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byDialog[k] = s
}

func (l *subscriptions) unindex(k dialogKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byDialog, k)
}

// byDialogKey is the subscription whose dialog is k, or nil.
func (l *subscriptions) byDialogKey(k dialogKey) *subscription {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byDialog[k]
}

// send sends an initial SUBSCRIBE (new dialog) or, with refresh and an
// established dialog, an in-dialog refresh. An initial one waits for a
// slot first (retry.go).
func (s *subscription) send(refresh bool) {
	if s.coveredByList() {
		return
	}
	if refresh && s.established() {
		s.sendHeld(true, func() {})
		return
	}
	give, ok := s.list.slots.take(s.list.ctx)
	if !ok {
		return
	}
	s.sendHeld(false, give)
}

// sendHeld is send once the slot an initial SUBSCRIBE needs is held;
// give hands it back.
func (s *subscription) sendHeld(refresh bool, give func()) {
	defer give()
	if s.coveredByList() { // the list took it over while it waited
		return
	}
	ua := s.list.ua
	s.mu.Lock()
	if s.ended || ua.isClosed() {
		s.mu.Unlock()
		return
	}
	if !refresh || s.dlg == nil || s.dlg.remoteTag == "" {
		s.dropDialog()
		s.dlg = ua.newDialog(s.target)
		s.list.index(s.dlg.key(), s)
	}
	dlg := s.dlg
	req := ua.dialogRequest(dlg, sip.SUBSCRIBE)
	addSubscribeHeaders(req, s.event, s.expires)
	if s.rls != nil {
		addListHeaders(req)
	}
	s.mu.Unlock()

	res, err := ua.do(s.list.ctx, req)
	s.mu.Lock()
	dlg.syncCSeq(req)
	s.mu.Unlock()
	s.answered(dlg, refresh, res, err)
}

// established says s has a dialog the peer answered in.
func (s *subscription) established() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dlg != nil && s.dlg.remoteTag != ""
}

func addSubscribeHeaders(req *sip.Request, event string, expires int) {
	req.AppendHeader(sip.NewHeader("Event", event))
	if event == eventWinfo {
		req.AppendHeader(sip.NewHeader("Accept", winfo.ContentType))
	} else {
		req.AppendHeader(sip.NewHeader("Accept", presenceFormats))
	}
	req.AppendHeader(sip.NewHeader("Allow-Events", "presence"))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
}

// dropDialog forgets s's current dialog and stops its timer. Caller holds
// s.mu.
func (s *subscription) dropDialog() {
	if s.dlg != nil {
		s.list.unindex(s.dlg.key())
		s.dlg = nil
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.retryAt = time.Time{}
}

// answered reads the answer to a SUBSCRIBE sent in dlg.
func (s *subscription) answered(dlg *dialog, refresh bool, res *sip.Response, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dlg != dlg {
		return // superseded while we waited
	}
	if s.ended {
		if err == nil {
			go s.unsubscribe(context.Background(), dlg)
		}
		return
	}
	if s.rls != nil && s.rls.answered(s, dlg, res, err) {
		return
	}
	if err == nil {
		s.accepted(dlg, res)
		return
	}
	if s.askAgain(res, err, refresh) {
		return
	}
	s.failed(res, err)
}

// askAgain sends again at once what a failure allows to: after 423 with
// the Min-Expires asked for, after 481 to a refresh in a new dialog.
// Caller holds s.mu.
func (s *subscription) askAgain(res *sip.Response, err error, refresh bool) bool {
	var re *ResponseError
	if !errors.As(err, &re) {
		return false
	}
	switch {
	case re.Code == 423:
		if min, _, _ := minExpires(res); min > s.expires {
			s.expires = min
			go s.send(refresh)
			return true
		}
	case re.Code == 481 && refresh:
		s.dropDialog()
		go s.send(false)
		return true
	}
	return false
}

func minExpires(res *sip.Response) (int, bool, error) {
	if res == nil {
		return 0, false, nil
	}
	v := headerValue(res, "Min-Expires")
	n, err := strconv.Atoi(v)
	return n, err == nil, err
}

// accepted records what a 2xx to SUBSCRIBE tells about the dialog and
// schedules the refresh. Caller holds s.mu.
func (s *subscription) accepted(dlg *dialog, res *sip.Response) {
	if dlg.remoteTag == "" && res.To() != nil {
		dlg.remoteTag = strings.Clone(tagOf(res.To().Params)) // kept: see ownURI
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
	s.schedule(refreshAfter(granted), true)
}

// refreshDelay refreshes at 80% of the granted time, so a slow answer still
// lands before expiry.
func refreshDelay(sec int) time.Duration {
	d := time.Duration(sec) * time.Second * 4 / 5
	return max(d, 500*time.Millisecond)
}

// schedule arms s's single timer: a refresh, or a new SUBSCRIBE. Caller
// holds s.mu.
func (s *subscription) schedule(d time.Duration, refresh bool) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.retryAt = time.Time{}
	if !refresh {
		s.retryAt = time.Now().Add(d)
	}
	s.timer = time.AfterFunc(d, func() { s.send(refresh) })
}

// failed reports a failed SUBSCRIBE, marks the contact unknown (never a
// stale "online") and retries later. Caller holds s.mu.
func (s *subscription) failed(res *sip.Response, err error) {
	s.dropDialog()
	delay := s.list.retry.after(s.attempt)
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
	s.announce(ev)
	s.markUnknown()
	s.schedule(delay, false)
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

// markUnknown reports the contact's presence as unknown once. Caller
// holds s.mu.
func (s *subscription) markUnknown() {
	if s.lastBasic == BasicUnknown || s.event != eventPresence || s.rls != nil {
		return
	}
	s.lastBasic = BasicUnknown
	s.list.ua.emit(PresenceChanged{Peer: s.peer, URI: s.uri, Basic: BasicUnknown, At: time.Now(), LastSeen: s.lastSeen})
}

// announce tells a subscription's state; the one to our own watcher list
// is internal and not announced.
func (s *subscription) announce(ev SubscriptionChanged) {
	if s.rls != nil {
		s.rls.stateChanged(ev)
		return
	}
	if s.event == eventPresence {
		s.list.ua.emit(ev)
	}
}

// end ends the subscription kept under key: a SUBSCRIBE with Expires: 0
// in its dialog, if one is established, bounded by ctx.
func (l *subscriptions) end(ctx context.Context, key subKey) error {
	l.mu.Lock()
	s, ok := l.byKey[key]
	delete(l.byKey, key)
	l.mu.Unlock()
	if !ok {
		return ErrNotFound
	}
	s.mu.Lock()
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	dlg := s.dlg
	established := dlg != nil && dlg.remoteTag != ""
	s.mu.Unlock()
	s.announce(SubscriptionChanged{Peer: s.peer, URI: s.uri, State: SubTerminated, Reason: "unsubscribed"})
	if !established {
		return nil // an answer still in flight sends the Expires: 0
	}
	return s.unsubscribe(ctx, dlg)
}

// unsubscribe sends the Expires: 0 in dlg. At exit, the final NOTIFY it
// brings is awaited (awaitFinals).
func (s *subscription) unsubscribe(ctx context.Context, dlg *dialog) error {
	ua := s.list.ua
	if ua.isClosed() {
		s.list.expectFinal(dlg.key())
	}
	s.mu.Lock()
	req := ua.dialogRequest(dlg, sip.SUBSCRIBE)
	addSubscribeHeaders(req, s.event, 0)
	s.mu.Unlock()
	_, err := ua.do(ctx, req)
	// Keep the dialog known a little longer: the final NOTIFY is on its way.
	time.AfterFunc(5*time.Second, func() {
		s.mu.Lock()
		s.dropDialog()
		s.mu.Unlock()
	})
	return err
}

// restart starts a new dialog for every subscription whose target
// matches, at once: after a server restart the old ones are gone.
func (l *subscriptions) restart(match func(target sip.Uri) bool) {
	for _, s := range l.all() {
		if !match(s.target) {
			continue
		}
		s.mu.Lock()
		s.dropDialog()
		s.attempt = 0
		s.mu.Unlock()
		go s.send(false)
	}
}

// heard is a sign of life from peer: a MESSAGE or a SUBSCRIBE from them
// (the seam's heardFrom), a NOTIFY (notify.go). Their failures are
// forgotten, so the next wait starts again from the first step, and a
// new SUBSCRIBE waiting out a longer wait goes within a second.
func (l *subscriptions) heard(peer identity.ID) {
	l.mu.Lock()
	s := l.byKey[subKey{eventPresence, peer}]
	l.mu.Unlock()
	if s != nil {
		s.revive()
	}
}

func (s *subscription) revive() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempt = 0
	if s.ended || s.retryAt.IsZero() {
		return // watching, or a SUBSCRIBE under way
	}
	if soon := reviveAfter(); time.Until(s.retryAt) > soon {
		s.schedule(soon, false)
	}
}

// stop ends every subscription, bounded by ctx, and waits (bounded too)
// for their final NOTIFYs, so each is answered before the sockets close.
func (l *subscriptions) stop(ctx context.Context) {
	l.mu.Lock()
	keys := make([]subKey, 0, len(l.byKey))
	for k := range l.byKey {
		keys = append(keys, k)
	}
	l.mu.Unlock()
	parallel(keys, 64, func(k subKey) {
		if err := l.end(ctx, k); err != nil {
			l.log.Debug("unsubscribe at exit", "event", k.event, "peer", k.peer, "error", err)
		}
	})
	l.awaitFinals(ctx)
}

// expectFinal notes that the final NOTIFY of the dialog k is awaited.
func (l *subscriptions) expectFinal(k dialogKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finals[k] = make(chan struct{})
}

// awaitFinals waits (bounded by ctx, and 1.5 s at most) for the final
// NOTIFYs expected.
func (l *subscriptions) awaitFinals(ctx context.Context) {
	l.mu.Lock()
	chans := make([]chan struct{}, 0, len(l.finals))
	for _, ch := range l.finals {
		chans = append(chans, ch)
	}
	l.mu.Unlock()
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

// finalArrived marks the final NOTIFY of the dialog k answered.
func (l *subscriptions) finalArrived(k dialogKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ch, ok := l.finals[k]; ok {
		close(ch)
		delete(l.finals, k)
	}
}
