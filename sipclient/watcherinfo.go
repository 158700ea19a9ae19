package sipclient

import (
	"errors"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/winfo"
)

// watchWatchers subscribes to our own presence.winfo (RFC 3857) at the
// presence server, so people who ask the server to watch us are
// announced as pending watchers, as direct ones are.
func (l *subscriptions) watchWatchers(aor sip.Uri) {
	self, err := peerOf(aor)
	if err != nil {
		return // parseServer made the account's AOR from a valid URI
	}
	if err := l.add(self, aor, eventWinfo); err != nil {
		l.log.Debug("watcher list not watched", "error", err)
	}
}

// watchersNotified applies a watcher-info document and asks about every
// new pending watcher the book has no answer for. Caller holds s.mu.
func (s *subscription) watchersNotified(req *sip.Request) {
	if len(req.Body()) == 0 {
		return
	}
	doc, err := winfo.Decode(req.Body())
	if err == nil {
		var changed []winfo.Watcher
		changed, err = s.winfo.Apply(doc)
		if errors.Is(err, winfo.ErrVersionGap) {
			// A document went missing: start over with a full one.
			s.winfo.Reset()
			s.dropDialog()
			go s.send(false)
			return
		}
		for _, w := range changed {
			s.list.pendingWatcher(w)
		}
	}
	if err != nil {
		s.list.ua.emit(Diagnostic{What: WhatWatcherList, URI: s.uri, Detail: "the server's watcher list could not be read: " + err.Error()})
	}
}

// pendingWatcher handles a watcher the server holds pending: one the
// user or the book has an answer for gets it in our rules at the server;
// anyone else is announced, for the user to answer.
func (l *subscriptions) pendingWatcher(w winfo.Watcher) {
	u, err := ParseURI(w.URI)
	if err != nil || w.Status != winfo.StatusPending {
		return
	}
	who, err := peerOf(u)
	if err != nil {
		return
	}
	if d := l.book.WatcherDecision(who); d != Ask {
		l.setRule(who, d)
		return
	}
	l.ua.emit(WatcherChanged{Peer: who, URI: aorString(u), State: WatcherPending, Reason: "asks the server to see your status"})
}
