package sipclient

import (
	"context"
	"errors"
	"mime"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/rlmi"
)

// listWatch watches the contacts through a resource list server (RFC
// 4662): one SUBSCRIBE to the account's buddy list, with Supported:
// eventlist, instead of one per contact. The contacts' own subscriptions
// still exist (watcher.go) but send nothing while the list covers them;
// the list's NOTIFYs (multipart/related with RLMI) update them, so each
// contact's SubscriptionChanged and PresenceChanged are the same as with
// its own subscription. When the server refuses the list (404, 489, 420,
// or answers it as a plain presentity), or the list ends for good, every
// contact falls back to its own SUBSCRIBE and ListChanged says why.
// A contact the list does not hold stays unknown until the list has it:
// the roster writes every contact into the list (account.ServerRoster),
// and a full state cannot tell who is missing, since servers split a big
// one into a "full" NOTIFY and partial ones after it (Kamailio does).
type listWatch struct {
	subs *subscriptions
	aor  string
	uri  string
	sub  *subscription // the list subscription; its rls points here

	mu       sync.Mutex
	refused  bool
	started  bool
	active   bool                // ListActive announced
	dialog   string              // Call-ID of the list subscription the versions count in
	versions map[identity.ID]int // the list version that last told about each contact
	settle   time.Duration       // the wait before asking again for contacts not told about
	asked    int                 // list refreshes sent for them
	checking bool                // a check is armed
}

// maxAskAgain bounds the refreshes asking for contacts the list has not
// told about.
const maxAskAgain = 3

// listNotifyLimit bounds the body of a list NOTIFY: what sipgo's parser
// takes in one message (64 KiB) less room for the headers. Servers split
// larger updates into several NOTIFYs (Kamailio: max_notify_body_length).
const listNotifyLimit = 60 << 10

// newListWatch prepares the list subscription to target; it starts with
// the first contact watched.
func newListWatch(l *subscriptions, aor string, target sip.Uri) (*listWatch, error) {
	peer, err := peerOf(target)
	if err != nil {
		return nil, err
	}
	w := &listWatch{subs: l, aor: aor, uri: aorString(target), settle: 3 * time.Second}
	w.sub = &subscription{list: l, peer: peer, uri: w.uri, target: target, event: eventPresence,
		expires: l.expires, lastBasic: BasicUnknown, rls: w}
	return w, nil
}

// covers takes s (a contact's new subscription) under the list, and
// starts the list subscription if it is not yet. False when the list
// was refused: s subscribes on its own.
func (w *listWatch) covers(s *subscription) bool {
	if w == nil || s.event != eventPresence {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.refused {
		return false
	}
	s.viaList = true // s is not shared yet: add holds the list's lock
	if !w.started {
		w.started = true
		w.subs.byKey[w.sub.key()] = w.sub // caller holds w.subs.mu
		go w.sub.send(false)
	}
	return true
}

// coveredByList says s is watched through the list and sends nothing.
func (s *subscription) coveredByList() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viaList
}

// addListHeaders marks a list SUBSCRIBE (RFC 4662 section 4.1).
func addListHeaders(req *sip.Request) {
	req.RemoveHeader("Accept")
	req.AppendHeader(sip.NewHeader("Accept", rlmi.Accept))
	req.AppendHeader(sip.NewHeader("Supported", "eventlist"))
}

// refusesList: answers after which the server will not serve the list.
func refusesList(code int) bool {
	switch code {
	case 403, 404, 405, 420, 421, 489, 501:
		return true
	}
	return false
}

// answered handles the answer to the list SUBSCRIBE; it reports whether
// it took care of it (the list was refused). Caller holds s.mu.
func (w *listWatch) answered(s *subscription, dlg *dialog, res *sip.Response, err error) bool {
	var re *ResponseError
	switch {
	case err == nil && !hasOptionTag(res, "Require", "eventlist"):
		// A plain presentity answered: no list here.
		s.accepted(dlg, res)
		go s.unsubscribe(context.Background(), dlg)
		w.refuse(s, res.StatusCode, "the server has no resource list "+w.uri)
		return true
	case errors.As(err, &re) && refusesList(re.Code):
		w.refuse(s, re.Code, re.Reason)
		return true
	}
	return false
}

// refuse gives up the list: the list subscription ends and every contact
// it covered subscribes on its own. Caller holds s.mu (the list's).
func (w *listWatch) refuse(s *subscription, code int, reason string) {
	w.mu.Lock()
	if w.refused {
		w.mu.Unlock()
		return
	}
	w.refused = true
	w.mu.Unlock()
	s.ended = true
	s.dropDialog()
	l := w.subs
	l.mu.Lock()
	delete(l.byKey, s.key())
	l.mu.Unlock()
	l.log.Info("resource list refused: watching each contact", "list", w.uri, "code", code, "reason", reason)
	l.ua.emit(ListChanged{AOR: w.aor, URI: w.uri, State: ListRefused, Code: code, Reason: reason})
	go w.releaseAll()
}

// releaseAll sends each covered contact's own SUBSCRIBE.
func (w *listWatch) releaseAll() {
	for _, c := range w.subs.all() {
		if c.rls == nil {
			w.release(c)
		}
	}
}

// release lets c subscribe on its own.
func (w *listWatch) release(c *subscription) {
	c.mu.Lock()
	was := c.viaList
	c.viaList = false
	c.mu.Unlock()
	if was { // through the start queue, not a goroutine each (substart.go)
		c.list.starts.push(c, c.list.serveStarts)
	}
}

// stateChanged follows the list subscription's own state, as announce
// would tell a contact's: the first active one is ListActive; a failed
// one leaves every covered contact unknown until it is back.
func (w *listWatch) stateChanged(ev SubscriptionChanged) {
	switch ev.State {
	case SubActive:
		w.mu.Lock()
		announce := !w.active
		w.active = true
		w.mu.Unlock()
		if announce {
			w.subs.ua.emit(ListChanged{AOR: w.aor, URI: w.uri, State: ListActive})
		}
		w.armCheck()
	case SubFailed:
		go w.unknownAll()
	}
}

func (w *listWatch) unknownAll() {
	for _, c := range w.subs.all() {
		c.mu.Lock()
		if c.viaList {
			c.markUnknown()
		}
		c.mu.Unlock()
	}
}

// armCheck looks, a while after the list's notifications began, for
// contacts it has not told about yet. A server may lose some under a
// burst (Kamailio 5.6's rls marks rows sent that a NOTIFY updated while
// its timer ran): a refresh of the list makes it ask every resource
// again, and their states come again. At most maxAskAgain times, each
// wait longer than the last.
func (w *listWatch) armCheck() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.checking || w.refused || w.asked >= maxAskAgain {
		return
	}
	w.checking = true
	time.AfterFunc(w.settle*time.Duration(w.asked+1), w.check)
}

func (w *listWatch) check() {
	missing := 0
	for _, c := range w.subs.all() {
		c.mu.Lock()
		covered := c.viaList && !c.ended
		c.mu.Unlock()
		w.mu.Lock()
		if _, told := w.versions[c.peer]; covered && !told {
			missing++
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.checking = false
	ask := missing > 0 && !w.refused && w.asked < maxAskAgain && !w.subs.ua.isClosed()
	if ask {
		w.asked++
	}
	w.mu.Unlock()
	if !ask {
		return
	}
	w.subs.log.Info("the resource list has not told about some contacts: asking again", "list", w.uri, "contacts", missing)
	w.sub.send(true)
	w.armCheck()
}

// listNotified handles a NOTIFY of the list subscription: a list the
// server ended for good falls back; else the body updates the contacts.
// Caller holds s.mu (the list's); contacts' locks are taken after it,
// never before.
func (w *listWatch) listNotified(s *subscription, req *sip.Request, ss subState) {
	if ss.state == SubTerminated {
		if retry, _ := ss.retryPolicy(); !retry {
			w.refuse(s, 0, "the server ended the list subscription: "+ss.reason)
			return
		}
	}
	body := req.Body()
	if len(body) == 0 {
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	n, err := rlmi.Decode(ct, body)
	if err != nil {
		w.subs.ua.emit(Diagnostic{What: "presence document", URI: w.uri, Detail: "the resource list's notification could not be read: " + err.Error()})
		return
	}
	key := req.CallID().Value()
	w.mu.Lock()
	if key != w.dialog {
		w.dialog, w.versions = key, map[identity.ID]int{} // versions count per dialog
	}
	w.mu.Unlock()
	for _, r := range n.Resources {
		if len(r.Instances) == 0 {
			continue // nothing known of them yet: no state to compare
		}
		if c := w.contact(r.URI); c != nil && w.newer(c.peer, n.Version) {
			c.fromList(r, s.lastNotify)
		}
	}
}

// newer says whether version of the list is newer than the last one that
// told about peer, and records it. NOTIFYs may arrive out of order (a
// server sends them from several processes): a resource is updated only
// from a later version than the one it was last updated from, so an old
// state never replaces a new one, and a repeated NOTIFY changes nothing.
func (w *listWatch) newer(peer identity.ID, version int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if last, ok := w.versions[peer]; ok && version <= last {
		return false
	}
	w.versions[peer] = version
	return true
}

// contact is the covered subscription of the resource uri, or nil.
func (w *listWatch) contact(uri string) *subscription {
	u, err := ParseURI(uri)
	if err != nil {
		return nil
	}
	id, err := peerOf(u)
	if err != nil {
		return nil
	}
	l := w.subs
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.byKey[subKey{eventPresence, id}]; c != nil && c.rls == nil {
		return c
	}
	return nil
}

// fromList updates a covered contact from its resource in a list
// NOTIFY, as a NOTIFY of its own would.
func (c *subscription) fromList(r rlmi.Resource, at time.Time) {
	in, ok := bestInstance(r.Instances)
	if !ok {
		return // nothing known of them yet
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended || !c.viaList {
		return
	}
	c.lastNotify, c.state = at, SubscriptionState(in.State)
	ev := SubscriptionChanged{Peer: c.peer, URI: c.uri, State: c.state, Reason: in.Reason, LastNotify: at}
	c.announce(ev)
	switch {
	case in.State == rlmi.StateTerminated:
		c.markUnknown()
	case in.Part != nil:
		mt, _, err := mime.ParseMediaType(in.Part.ContentType)
		if err != nil {
			mt, _, _ = strings.Cut(in.Part.ContentType, ";")
		}
		c.presenceDocument(strings.ToLower(strings.TrimSpace(mt)), in.Part.Body, false)
	}
}

// bestInstance is the instance that says most: active with a document,
// then active, pending, terminated.
func bestInstance(ins []rlmi.Instance) (rlmi.Instance, bool) {
	rank := func(in rlmi.Instance) int {
		switch {
		case in.State == rlmi.StateActive && in.Part != nil:
			return 4
		case in.State == rlmi.StateActive:
			return 3
		case in.State == rlmi.StatePending:
			return 2
		case in.State == rlmi.StateTerminated:
			return 1
		}
		return 0
	}
	best, ok := rlmi.Instance{}, false
	for _, in := range ins {
		if r := rank(in); r > 0 && (!ok || r > rank(best)) {
			best, ok = in, true
		}
	}
	return best, ok
}

// startList makes the subscriptions through the server go through the
// buddy list. A list URI that cannot be parsed is reported and ignored:
// each contact is watched on its own.
func (c *Client) startList() {
	target, err := ParseURI(c.server.cfg.BuddyList)
	if err == nil {
		var w *listWatch
		if w, err = newListWatch(c.subs, aorString(c.aor), target); err == nil {
			c.subs.list = w
			return
		}
	}
	c.emit(ListChanged{AOR: aorString(c.aor), URI: c.server.cfg.BuddyList, State: ListRefused, Reason: "the buddy list address cannot be used: " + err.Error()})
}
