package sipclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/presrules"
)

// presRules keeps our presence authorization rules at the server's XCAP
// service (RFC 4825, 5025), so watchers who ask the server are let in or
// kept out by the server itself. Every change PUTs the whole document.
type presRules struct {
	mu       sync.Mutex // one PUT at a time, each with the latest rules
	handling map[string]string
	http     *http.Client
	session  *digest.Session // HTTP digest, started by the first 401
}

// setRule records what watcher who may see and stores the rules at the
// server in the background. Without an XCAP root nothing is stored: the
// server's own default decides.
func (c *Client) setRule(who identity.ID, d Decision) {
	aor := who.String()
	if c.server == nil || c.server.cfg.XCAPRoot == "" || d == Ask {
		return
	}
	h := presrules.Allow
	if d == Block {
		h = presrules.PoliteBlock // they are told they may watch, and see us offline
	}
	r := c.rules
	r.mu.Lock()
	if r.handling[aor] == h {
		r.mu.Unlock()
		return
	}
	r.handling[aor] = h
	r.mu.Unlock()
	go func() {
		if err := c.putRules(c.ctx); err != nil && c.ctx.Err() == nil {
			c.emit(Diagnostic{What: WhatPresenceRules, Peer: who, URI: aor, Detail: "the server did not store who may see your status: " + err.Error()})
		}
	}()
}

// putRules stores the current rules document, answering an HTTP digest
// challenge with the account's credentials.
func (c *Client) putRules(ctx context.Context) error {
	r := c.rules
	r.mu.Lock()
	defer r.mu.Unlock()
	doc, err := presrules.Encode(r.handling)
	if err != nil {
		return err
	}
	url := strings.TrimRight(c.server.cfg.XCAPRoot, "/") + "/pres-rules/users/" + aorString(c.aor) + "/index"
	res, err := c.xcapPut(ctx, r, url, doc)
	if err != nil {
		return err
	}
	if res.StatusCode == http.StatusUnauthorized {
		if r.session, err = httpChallenge(res); err != nil {
			return err
		}
		if res, err = c.xcapPut(ctx, r, url, doc); err != nil {
			return err
		}
	}
	if res.StatusCode/100 != 2 {
		if res.StatusCode == http.StatusUnauthorized {
			r.session = nil
			return fmt.Errorf("%s: %w", res.Status, ErrWrongPassword)
		}
		return fmt.Errorf("XCAP PUT %s: %s", url, res.Status)
	}
	return nil
}

func (c *Client) xcapPut(ctx context.Context, r *presRules, url string, doc []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opt.reqTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("XCAP: %w", err)
	}
	req.Header.Set("Content-Type", presrules.ContentType)
	if r.session != nil {
		v, err := r.session.AuthorizeBody(http.MethodPut, req.URL.RequestURI(), doc, c.auth.cred)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", v)
	}
	res, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("XCAP: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	return res, nil
}

func httpChallenge(res *http.Response) (*digest.Session, error) {
	best, err := bestChallenge(res.Header.Values("WWW-Authenticate"))
	if err != nil {
		return nil, err
	}
	s, err := digest.NewSession(best)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	return s, nil
}
