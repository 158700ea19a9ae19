package sipclient

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/pidf"
)

// publisher keeps our presence document at the presence server (PUBLISH,
// RFC 3903): the entity tag of the current one, refreshed before it
// expires, modified on every status change, started over when the server
// forgot it (412), removed at stop.
type publisher struct {
	ua       seam
	aor      sip.Uri         // the presentity: Request-URI and PIDF entity
	contact  string          // the PIDF contact
	presence func() Presence // read as each document is built: the last change wins
	asked    int             // Expires we ask for

	ctx    context.Context // ends at stop: an exchange in flight gives way to the removal
	cancel context.CancelFunc

	mu          sync.Mutex // one PUBLISH exchange at a time: each needs the last ETag
	etag        string
	timer       *time.Timer
	unsupported bool
	attempt     int
}

// newPublisher prepares the publication of aor's presence, asking for
// expires seconds; its exchanges end with ctx.
func newPublisher(ctx context.Context, ua seam, aor sip.Uri, contact string, presence func() Presence, expires int) *publisher {
	p := &publisher{ua: ua, aor: aor, contact: contact, presence: presence, asked: expires}
	p.ctx, p.cancel = context.WithCancel(ctx)
	return p
}

// What a PUBLISH does (RFC 3903 4.1).
type pubKind int

const (
	pubInitial pubKind = iota // a new document, no SIP-If-Match
	pubModify                 // the current document replaced
	pubRefresh                // no body: only the expiry moves
)

// post publishes in the background. A nil publisher (direct mode) does
// nothing, nor does one whose user agent is closing.
func (p *publisher) post(kind pubKind) {
	if p == nil || p.ua.isClosed() {
		return
	}
	go p.publish(p.ctx, kind)
}

// publish runs one PUBLISH exchange: it sends again at once after a 412
// (from scratch) or a 423 (for Min-Expires), and schedules the refresh or
// the retry.
func (p *publisher) publish(ctx context.Context, kind pubKind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unsupported || ctx.Err() != nil {
		return
	}
	if p.etag == "" {
		kind = pubInitial
	} else if kind == pubInitial {
		kind = pubModify
	}
	expires := p.asked
	for range 3 {
		req, err := p.request(kind, expires)
		if err != nil {
			p.ua.emit(PublicationChanged{AOR: p.aor.String(), State: PubFailed, Reason: err.Error()})
			return
		}
		res, err := p.ua.do(ctx, req)
		if err == nil {
			p.published(res, expires)
			return
		}
		if !p.again(res, err, &kind, &expires) {
			return
		}
	}
}

// again reads a failed PUBLISH: true to send again at once with kind
// and expires changed, false when the failure is dealt with. Caller holds
// p.mu.
func (p *publisher) again(res *sip.Response, err error, kind *pubKind, expires *int) bool {
	var re *ResponseError
	if !errors.As(err, &re) {
		p.failed(res, err)
		return false
	}
	switch re.Code {
	case 412: // the server forgot our document: start over (RFC 3903 4.1)
		p.etag, *kind = "", pubInitial
		return true
	case 423:
		if min, ok, _ := minExpires(res); ok && min > *expires {
			*expires = min
			return true
		}
	case 405, 489, 501:
		p.unsupported = true
		p.ua.emit(PublicationChanged{AOR: p.aor.String(), State: PubUnsupported, Code: re.Code,
			Reason: "the server does not take presence publications (" + strconv.Itoa(re.Code) + " " + re.Reason + "); peers who subscribe directly still see your status"})
		return false
	}
	p.failed(res, err)
	return false
}

// request builds a PUBLISH of kind; with expires 0 it removes the
// document. Caller holds p.mu.
func (p *publisher) request(kind pubKind, expires int) (*sip.Request, error) {
	req := p.ua.newRequest(sip.PUBLISH, p.aor)
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	if p.etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", p.etag))
	}
	if kind == pubRefresh || expires == 0 {
		return req, nil
	}
	if err := setPresenceBody(req, p.presence(), aorString(p.aor), p.contact, pidf.ContentTypePIDF); err != nil {
		return nil, err
	}
	return req, nil
}

// published keeps the entity tag of a 2xx and schedules the refresh.
// Caller holds p.mu.
func (p *publisher) published(res *sip.Response, asked int) {
	p.etag = headerValue(res, "SIP-ETag")
	granted := asked
	if n, ok, err := expiresHeader(res); ok && err == nil {
		granted = n
	}
	p.attempt = 0
	p.ua.emit(PublicationChanged{AOR: p.aor.String(), State: PubPublished, Code: res.StatusCode, Expires: granted})
	p.schedule(refreshDelay(granted), pubRefresh)
}

// failed reports the failure and tries again later (a 500 from a busy
// server with Retry-After is the usual case). Caller holds p.mu.
func (p *publisher) failed(res *sip.Response, err error) {
	delay := p.ua.backoff(p.attempt)
	p.attempt++
	if ra := retryAfter(res); ra > 0 {
		delay = ra
	}
	ev := PublicationChanged{AOR: p.aor.String(), State: PubFailed, Reason: failureWords(err)}
	var re *ResponseError
	if errors.As(err, &re) {
		ev.Code = re.Code
	}
	p.ua.emit(ev)
	p.schedule(delay, pubModify)
}

// schedule arms the single timer. Caller holds p.mu.
func (p *publisher) schedule(d time.Duration, kind pubKind) {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(d, func() { p.post(kind) })
}

// stop ends any exchange in flight and removes our document (Expires: 0),
// bounded by ctx.
func (p *publisher) stop(ctx context.Context) {
	p.cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.etag == "" || p.unsupported {
		return
	}
	req, err := p.request(pubRefresh, 0)
	if err == nil {
		_, err = p.ua.do(ctx, req)
	}
	p.etag = ""
	ev := PublicationChanged{AOR: p.aor.String(), State: PubRemoved}
	if err != nil {
		ev.Reason = failureWords(err)
	}
	p.ua.emit(ev)
}
