package sipclient

import (
	"errors"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/winfo"
)

// watchWatchers subscribes to our own presence.winfo (RFC 3857) at the
// presence server, so people who ask the server to watch us are
// announced as pending watchers, as direct ones are.
func (c *Client) watchWatchers() {
	self, err := peerOf(c.aor)
	if err != nil {
		return // parseServer made c.aor from a valid URI
	}
	s := &subscription{peer: self, uri: aorString(c.aor), target: c.aor, expires: c.opt.subExpires,
		lastBasic: BasicUnknown, event: eventWinfo, winfo: &winfo.Tracker{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[s.key()]; ok || c.closed {
		return
	}
	c.subs[s.key()] = s
	go c.sendSubscribe(s, false)
}

// notifyWinfo applies a watcher-info document and asks about every new
// pending watcher the policy has no answer for. Caller holds c.mu.
func (c *Client) notifyWinfo(s *subscription, req *sip.Request) {
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
			c.dropSubDialog(s)
			go c.sendSubscribe(s, false)
			return
		}
		for _, w := range changed {
			c.watcherInfoChanged(w)
		}
	}
	if err != nil {
		c.emit(Diagnostic{What: WhatWatcherList, URI: aorString(c.aor), Detail: "the server's watcher list could not be read: " + err.Error()})
	}
}

// watcherInfoChanged handles a watcher the server holds pending: one the
// user or the policy has an answer for gets it in our rules at the
// server; anyone else is announced, for the user to answer. Caller holds
// c.mu.
func (c *Client) watcherInfoChanged(w winfo.Watcher) {
	u, err := ParseURI(w.URI)
	if err != nil || w.Status != winfo.StatusPending {
		return
	}
	who, err := peerOf(u)
	if err != nil {
		return
	}
	if d := c.opt.book.WatcherDecision(who); d != Ask {
		c.setRule(who, d)
		return
	}
	c.emit(WatcherChanged{Peer: who, URI: aorString(u), State: WatcherPending, Reason: "asks the server to see your status"})
}
