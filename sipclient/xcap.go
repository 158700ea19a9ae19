package sipclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"

	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/presrules"
	"github.com/parley-im/parley/sipclient/xcap"
)

// presRules keeps our presence authorization rules at the server's XCAP
// service (RFC 4825, 5025), so watchers who ask the server are let in or
// kept out by the server itself. Each change is a read-modify-write of
// the document (xcap.Update): only Parley's own rules change, for the
// watchers the user answered; another device's or client's rules stay.
type presRules struct {
	xc  *xcap.Client
	url string

	mu      sync.Mutex
	pending map[string]string // watcher → handling to store; "" drops our rule
	stored  map[string]string // what the last write left at the server

	writing sync.Mutex // one read-modify-write at a time
}

func newPresRules(root, xui string, cred digest.Credentials, hc *http.Client, o *options) *presRules {
	xc := xcap.New(root, xui, cred, hc, o.reqTimeout)
	return &presRules{xc: xc, url: xc.URL("pres-rules", "index"), pending: map[string]string{}, stored: map[string]string{}}
}

// setRule records what watcher who may see and stores it at the server
// in the background; Ask drops the rule Parley wrote for them, so the
// server asks again. Without an XCAP root nothing is stored: the
// server's own default decides.
func (c *Client) setRule(who identity.ID, d Decision) {
	if c.server == nil || c.server.cfg.XCAPRoot == "" || c.rules == nil {
		return
	}
	aor := who.String()
	h := ""
	switch d {
	case Allow:
		h = presrules.Allow
	case Block:
		h = presrules.PoliteBlock // they are told they may watch, and see us offline
	}
	r := c.rules
	r.mu.Lock()
	cur, known := r.stored[aor]
	if p, ok := r.pending[aor]; ok {
		cur, known = p, true
	}
	if known && cur == h {
		r.mu.Unlock()
		return
	}
	r.pending[aor] = h
	r.mu.Unlock()
	go func() {
		if err := c.writeRules(c.ctx); err != nil && c.ctx.Err() == nil {
			c.emit(Diagnostic{What: WhatPresenceRules, Peer: who, URI: aor, Detail: "the server did not store who may see your status: " + err.Error()})
		}
	}()
}

// writeRules applies the pending answers to the document at the server.
func (c *Client) writeRules(ctx context.Context) error {
	r := c.rules
	r.writing.Lock()
	defer r.writing.Unlock()
	r.mu.Lock()
	todo := maps.Clone(r.pending)
	r.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	var stored map[string]string
	_, err := r.xc.Update(ctx, r.url, presrules.ContentType, func(cur []byte) ([]byte, error) {
		h, err := presrules.Parley(cur)
		if err != nil {
			return nil, err
		}
		for who, v := range todo {
			if v == "" {
				delete(h, who)
			} else {
				h[who] = v
			}
		}
		stored = h
		return presrules.Merge(cur, h)
	})
	if errors.Is(err, xcap.ErrUnauthorized) {
		return fmt.Errorf("%w: %w", err, ErrWrongPassword)
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stored = stored
	for who, v := range todo {
		if r.pending[who] == v {
			delete(r.pending, who)
		}
	}
	return nil
}
