package sipclient

import (
	"mime"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/pidf"
	"github.com/parley-im/parley/sipclient/winfo"
)

// onNotify handles a NOTIFY for one of our subscriptions: it answers first
// (sipgo ends the transaction when the handler returns), then updates state.
func (c *Client) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	ev := headerValue(req, "Event")
	if ev == "" {
		c.respond(req, tx, 400, "Missing Event Header")
		return
	}
	pkg := eventPackage(ev)
	if pkg != eventPresence && pkg != eventWinfo {
		c.respond(req, tx, 489, "Bad Event", "Allow-Events", "presence")
		return
	}
	ss, ok := parseSubState(headerValue(req, "Subscription-State"))
	if !ok {
		c.respond(req, tx, 400, "Missing Subscription-State")
		return
	}
	if ok, accept := acceptableBody(req, pkg); !ok {
		c.respond(req, tx, 415, "Unsupported Media Type", "Accept", accept)
		return
	}
	key := dialogKey{req.CallID().Value(), tagOf(req.To().Params)}
	c.mu.Lock()
	s := c.subDlgs[key]
	c.mu.Unlock()
	if s == nil || s.event != pkg {
		c.respond(req, tx, 481, "Subscription Does Not Exist")
		return
	}
	c.respond(req, tx, 200, "OK")
	c.applyNotify(s, key, req, ss)
}

// applyNotify updates s from an accepted NOTIFY and emits what changed.
func (c *Client) applyNotify(s *subscription, key dialogKey, req *sip.Request, ss subState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.ended || s.dlg == nil || s.dlg.key() != key {
		if ss.state == SubTerminated {
			c.finalArrived(key)
		}
		return // unsubscribed or replaced: the 200 was all it needed
	}
	dlg := s.dlg
	if dlg.remoteTag == "" {
		dlg.remoteTag = tagOf(req.From().Params)
	}
	if u, ok := contactURI(req); ok {
		dlg.remoteTarget = u
	}
	s.lastNotify, s.state = time.Now(), ss.state
	ev := SubscriptionChanged{Peer: s.peer, URI: s.uri, State: ss.state, Reason: ss.reason, Expires: max(ss.expires, 0), LastNotify: s.lastNotify}
	if ss.state == SubTerminated {
		ev.RetryIn = c.subTerminated(s, ss)
	} else if ss.expires >= 0 && refreshDelay(ss.expires) < refreshDelay(s.expires) {
		c.scheduleSub(s, refreshDelay(ss.expires), true)
	}
	c.emitSub(s, ev)
	if s.event == eventWinfo {
		c.notifyWinfo(s, req)
		return
	}
	c.notifyPresence(s, req, ss)
}

// acceptableBody checks a NOTIFY body's type against its event package.
func acceptableBody(req *sip.Request, pkg string) (bool, string) {
	if len(req.Body()) == 0 {
		return true, ""
	}
	ct := mediaType(req)
	if pkg == eventWinfo {
		return ct == winfo.ContentType, winfo.ContentType
	}
	return ct == pidf.ContentTypePIDF || ct == pidf.ContentTypeCPIM, pidf.ContentTypePIDF + ", " + pidf.ContentTypeCPIM
}

// subTerminated ends the dialog and schedules a new subscription when the
// reason allows one (RFC 6665 4.1.3). Caller holds c.mu.
func (c *Client) subTerminated(s *subscription, ss subState) time.Duration {
	c.dropSubDialog(s)
	retry, now := ss.retryPolicy()
	if !retry {
		return 0
	}
	delay := 100 * time.Millisecond
	if ss.retryAfter > 0 {
		delay = time.Duration(ss.retryAfter) * time.Second
	} else if !now {
		delay = c.backoff(s.attempt)
		s.attempt++
	}
	c.scheduleSub(s, delay, false)
	return delay
}

// notifyPresence turns a NOTIFY body into a presence event. An unreadable
// document leaves the contact unknown and says why. Caller holds c.mu.
func (c *Client) notifyPresence(s *subscription, req *sip.Request, ss subState) {
	body := req.Body()
	if len(body) == 0 {
		if ss.state == SubTerminated {
			c.markUnknown(s)
		}
		return
	}
	doc, err := pidf.Decode(body)
	if err != nil {
		c.emit(Diagnostic{What: "presence document", Peer: s.peer, URI: s.uri, Detail: "the peer's presence document could not be read: " + err.Error()})
		c.markUnknown(s)
		return
	}
	p := PresenceChanged{Peer: s.peer, URI: s.uri, Basic: Basic(doc.Basic), Note: doc.Note, Contact: doc.Contact, Raw: string(body), At: s.lastNotify}
	if len(doc.Activities) > 0 {
		p.Activity = doc.Activities[0]
	}
	if p.Basic == "" {
		p.Basic = BasicUnknown
	}
	s.lastBasic = p.Basic
	c.emit(p)
}

// mediaType is the lower-cased Content-Type without parameters.
func mediaType(m headerReader) string {
	ct := m.ContentType()
	if ct == nil {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct.Value())
	if err != nil {
		mt, _, _ = strings.Cut(ct.Value(), ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}
