package sipclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// registration keeps our binding at the registrar (RFC 3261 10): one
// goroutine registers, refreshes at 80% of the granted time, backs off on
// failure and notices a dropped TCP/TLS connection.
type registration struct {
	callID string
	cseq   uint32 // the same Call-ID and a rising CSeq for every REGISTER

	mu         sync.Mutex
	registered bool
	granted    int  // seconds the registrar gave the current binding
	ever       bool // registered at least once
	attempt    int  // consecutive failures, for the backoff; loop goroutine only

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// startServerMode starts registering and, once registered, publishing.
func (c *Client) startServerMode() {
	s := c.server
	c.auth = newAuthenticator(s.authUser, s.cfg.Password)
	c.rules = &presRules{handling: map[string]string{},
		http: &http.Client{Transport: &http.Transport{TLSClientConfig: s.tlsConfig(), Proxy: nil}}}
	r := &registration{callID: sip.GenerateTagN(24), done: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(c.ctx)
	c.reg = r
	// Bound by the registration's context: it ends first at Close, so an
	// exchange in flight gives way at once to the removal.
	c.pub = newPublisher(r.ctx, c, c.aor, c.contact.String(), c.Presence, c.opt.pubExpires)
	c.emit(RegistrationChanged{AOR: c.AOR(), State: RegRegistering})
	go c.registerLoop(r)
}

// stopServerMode withdraws our presence document and our own binding (not
// "*": other devices of the user stay registered). Bounded by ctx.
func (c *Client) stopServerMode(ctx context.Context) {
	r := c.reg
	r.cancel()
	<-r.done
	c.pub.stop(ctx)
	r.mu.Lock()
	was := r.registered
	r.registered = false
	r.mu.Unlock()
	if !was {
		return
	}
	req := c.registerRequest(r, 0)
	_, err := c.do(ctx, req)
	ev := RegistrationChanged{AOR: c.AOR(), State: RegUnregistered}
	if err != nil {
		ev.Reason = "could not unregister: " + failureWords(err)
	}
	c.emit(ev)
}

func (c *Client) registerLoop(r *registration) {
	defer close(r.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	check := time.NewTicker(time.Second)
	defer check.Stop()
	lastPing := time.Now()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-timer.C:
		case <-check.C:
			if c.connectionAlive(r, &lastPing) {
				continue
			}
		}
		timer.Reset(c.registerOnce(r))
	}
}

// registerOnce sends one REGISTER (and a second one after a 423) and
// returns when to send the next.
func (c *Client) registerOnce(r *registration) time.Duration {
	expires := c.server.cfg.Expires
	for range 4 {
		req := c.registerRequest(r, expires)
		res, err := c.do(r.ctx, req)
		r.syncCSeq(req)
		if r.ctx.Err() != nil {
			return time.Hour
		}
		if err == nil && c.learnPublicAddress(res) {
			continue // register the public address instead
		}
		if err == nil {
			return c.registered(r, grantedExpires(res, req, expires))
		}
		var re *ResponseError
		if errors.As(err, &re) && re.Code == 423 {
			if min, ok, _ := minExpires(res); ok && min > expires {
				expires = min
				continue
			}
		}
		return c.registerFailed(r, res, err)
	}
	return c.registerFailed(r, nil, errors.New("the server keeps asking for a longer registration"))
}

func (c *Client) registerRequest(r *registration, expires int) *sip.Request {
	s := c.server
	req := sip.NewRequest(sip.REGISTER, *s.registrar.Clone())
	from := &sip.FromHeader{DisplayName: c.cfg.DisplayName, Address: s.aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	callID := sip.CallIDHeader(r.callID)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: s.aor, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	r.mu.Lock()
	r.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	r.mu.Unlock()
	c.finishRequest(req, s.transport)
	if ct := req.Contact(); ct != nil {
		ct.Params = sip.NewParams()
		ct.Params.Add("expires", strconv.Itoa(expires))
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.SetDestination(s.proxy)
	return req
}

// syncCSeq keeps our CSeq above what an authentication retry used.
func (r *registration) syncCSeq(req *sip.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cs := req.CSeq(); cs != nil && cs.SeqNo > r.cseq {
		r.cseq = cs.SeqNo
	}
}

// grantedExpires reads what the registrar granted our Contact: its
// expires parameter in the 200, else the Expires header, else what we
// asked (RFC 3261 10.2.4).
func grantedExpires(res *sip.Response, req *sip.Request, asked int) int {
	ours := req.Contact()
	for _, h := range res.GetHeaders("Contact") {
		ch, ok := h.(*sip.ContactHeader)
		if !ok || ours == nil || !sameContact(ch.Address, ours.Address) {
			continue
		}
		if v, ok := ch.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	if n, ok, err := expiresHeader(res); ok && err == nil {
		return n
	}
	return asked
}

func sameContact(a, b sip.Uri) bool {
	return a.User == b.User && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port
}

// registered records a 2xx. After a first registration, or one that
// follows a failure or a lost connection, everything that depends on it
// starts again: subscriptions through the server, our publication, the
// outbox.
func (c *Client) registered(r *registration, granted int) time.Duration {
	r.mu.Lock()
	fresh, again := !r.registered, r.ever
	changed := fresh || r.granted != granted
	r.registered, r.ever, r.granted = true, true, granted
	r.mu.Unlock()
	r.attempt = 0
	if changed {
		c.emit(RegistrationChanged{AOR: c.AOR(), State: RegRegistered, Code: 200, Expires: granted})
	}
	if fresh {
		c.afterRegistration(again)
	}
	if granted <= 0 {
		return time.Hour // the registrar granted nothing to refresh
	}
	return refreshDelay(granted)
}

func (c *Client) registerFailed(r *registration, res *sip.Response, err error) time.Duration {
	delay := c.backoff(r.attempt)
	r.attempt++
	if errors.Is(err, ErrWrongPassword) {
		delay = max(delay, min(c.opt.retryMax, time.Minute)) // a wrong password will not fix itself
	}
	if ra := retryAfter(res); ra > 0 {
		delay = ra
	}
	ev := RegistrationChanged{AOR: c.AOR(), State: RegFailed, Reason: failureWords(err), RetryIn: delay}
	var re *ResponseError
	if errors.As(err, &re) {
		ev.Code = re.Code
	}
	r.mu.Lock()
	r.registered = false
	r.mu.Unlock()
	c.emit(ev)
	return delay
}

// failureWords says what went wrong in words a user understands.
func failureWords(err error) string {
	var re *ResponseError
	switch {
	case errors.Is(err, ErrWrongPassword):
		return "wrong password (or user name)"
	case errors.Is(err, ErrAuthFailed):
		return err.Error()
	case errors.Is(err, ErrNoResponse):
		return "no answer from the server"
	case errors.As(err, &re):
		return strconv.Itoa(re.Code) + " " + re.Reason
	case strings.Contains(err.Error(), "certificate"):
		return "the server's TLS certificate is not trusted: " + err.Error()
	case strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "dial"):
		return "cannot reach the server: " + err.Error()
	}
	return err.Error()
}

// afterRegistration restarts what the server may have lost while we were
// not registered (again: after a failure or a lost connection): the
// subscriptions through it, our publication, and the outbox.
func (c *Client) afterRegistration(again bool) {
	c.pub.post(pubInitial)
	if again {
		c.resubscribeViaServer()
	} else {
		c.watchWatchers()
	}
	c.box().kick()
}

// resubscribeViaServer starts a new dialog for every subscription through
// the server: after a server restart the old ones are gone.
func (c *Client) resubscribeViaServer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.subs {
		if c.server.viaServer(s.target) {
			c.dropSubDialog(s)
			s.attempt = 0
			go c.sendSubscribe(s, false)
		}
	}
}
