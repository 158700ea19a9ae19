package sipclient

import (
	"mime"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/pidf"
	"github.com/parley-im/parley/sipclient/rlmi"
	"github.com/parley-im/parley/sipclient/winfo"
)

// onNotify handles a NOTIFY for one of our subscriptions: it answers first
// (sipgo ends the transaction when the handler returns), then updates state.
func (l *subscriptions) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	pkg, ss, ok := l.checkNotify(req, tx)
	if !ok {
		return
	}
	key := dialogKey{req.CallID().Value(), tagOf(req.To().Params)}
	s := l.byDialogKey(key)
	if s == nil || s.event != pkg {
		l.ua.respond(req, tx, 481, "Subscription Does Not Exist")
		return
	}
	l.ua.respond(req, tx, 200, "OK")
	s.notified(key, req, ss)
}

// checkNotify refuses a NOTIFY we cannot read, and otherwise returns its
// event package and subscription state.
func (l *subscriptions) checkNotify(req *sip.Request, tx sip.ServerTransaction) (string, subState, bool) {
	ev := headerValue(req, "Event")
	if ev == "" {
		l.ua.respond(req, tx, 400, "Missing Event Header")
		return "", subState{}, false
	}
	pkg := eventPackage(ev)
	if pkg != eventPresence && pkg != eventWinfo {
		l.ua.respond(req, tx, 489, "Bad Event", "Allow-Events", "presence")
		return "", subState{}, false
	}
	ss, ok := parseSubState(headerValue(req, "Subscription-State"))
	if !ok {
		l.ua.respond(req, tx, 400, "Missing Subscription-State")
		return "", subState{}, false
	}
	if ok, accept := acceptableBody(req, pkg); !ok {
		l.ua.respond(req, tx, 415, "Unsupported Media Type", "Accept", accept)
		return "", subState{}, false
	}
	return pkg, ss, true
}

// notified updates s from an accepted NOTIFY in the dialog key and emits
// what changed.
func (s *subscription) notified(key dialogKey, req *sip.Request, ss subState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.dlg == nil || s.dlg.key() != key {
		if ss.state == SubTerminated {
			s.list.finalArrived(key)
		}
		return // unsubscribed or replaced: the 200 was all it needed
	}
	dlg := s.dlg
	s.attempt = 0 // a sign of life
	if dlg.remoteTag == "" {
		dlg.remoteTag = strings.Clone(tagOf(req.From().Params)) // kept: see ownURI
	}
	if u, ok := contactURI(req); ok {
		dlg.remoteTarget = u
	}
	s.lastNotify, s.state = time.Now(), ss.state
	ev := SubscriptionChanged{Peer: s.peer, URI: s.uri, State: ss.state, Reason: ss.reason, Expires: max(ss.expires, 0), LastNotify: s.lastNotify}
	if ss.state == SubTerminated {
		ev.RetryIn = s.terminated(ss)
	} else if ss.expires >= 0 && refreshDelay(ss.expires) < refreshDelay(s.expires) {
		s.schedule(refreshAfter(ss.expires), true)
	}
	s.announce(ev)
	switch {
	case s.event == eventWinfo:
		s.watchersNotified(req)
	case s.rls != nil:
		s.rls.listNotified(s, req, ss)
	default:
		s.presenceNotified(req, ss)
	}
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
	return ct == pidf.ContentTypePIDF || ct == pidf.ContentTypeCPIM || ct == pidf.ContentTypeXPIDF ||
		ct == rlmi.MultipartRelated || ct == rlmi.ContentType, presenceFormats
}

// terminated ends the dialog and schedules a new subscription when the
// reason allows one (RFC 6665 4.1.3). Caller holds s.mu.
func (s *subscription) terminated(ss subState) time.Duration {
	s.dropDialog()
	retry, now := ss.retryPolicy()
	if !retry {
		return 0
	}
	delay := 100 * time.Millisecond
	if ss.retryAfter > 0 {
		delay = time.Duration(ss.retryAfter) * time.Second
	} else if !now {
		delay = s.list.retry.after(s.attempt)
		s.attempt++
	}
	s.schedule(delay, false)
	return delay
}

// presenceNotified turns a NOTIFY body into a presence event: PIDF,
// CPIM-PIDF or XPIDF by its Content-Type, and XPIDF sent under a PIDF
// type (Asterisk's res_pjsip does) too. An unreadable document leaves the
// contact unknown and says why. Caller holds s.mu.
func (s *subscription) presenceNotified(req *sip.Request, ss subState) {
	s.presenceDocument(mediaType(req), req.Body(), ss.state == SubTerminated)
}

// presenceDocument reads one presence document of media type ct, from a
// NOTIFY or from a resource list's (rls.go). Caller holds s.mu.
func (s *subscription) presenceDocument(ct string, body []byte, terminated bool) {
	if len(body) == 0 {
		if terminated {
			s.markUnknown()
		}
		return
	}
	doc, err := pidf.DecodeFor(ct, body)
	if err != nil {
		s.list.ua.emit(Diagnostic{What: "presence document", Peer: s.peer, URI: s.uri, Detail: "the peer's presence document could not be read: " + err.Error()})
		s.markUnknown()
		return
	}
	p := PresenceChanged{Peer: s.peer, URI: s.uri, Basic: Basic(doc.Basic), Note: doc.Note, Contact: doc.Contact, Raw: string(body), At: s.lastNotify}
	if len(doc.Activities) > 0 {
		p.Activity = doc.Activities[0]
	}
	p.Idle, p.IdleSince = doc.UserInput.Idle(), doc.UserInput.LastInput
	if p.Basic == "" {
		p.Basic = BasicUnknown
	}
	s.lastBasic = p.Basic
	s.seen(doc)
	p.LastSeen = s.lastSeen
	s.list.ua.emit(p)
}

// seen updates when the contact was last known available from a
// document: now when it says open; its newest timestamp when it says
// closed (the moment they signed off), if later than what we knew.
// Caller holds s.mu.
func (s *subscription) seen(doc *pidf.Document) {
	switch doc.Basic {
	case pidf.BasicOpen:
		s.lastSeen = s.lastNotify
	case pidf.BasicClosed:
		for _, t := range doc.Tuples {
			if t.Timestamp.After(s.lastSeen) && !t.Timestamp.After(s.lastNotify) {
				s.lastSeen = t.Timestamp
			}
		}
	}
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
