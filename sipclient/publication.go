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

// publication keeps our presence document at the presence server
// (PUBLISH, RFC 3903): the entity tag of the current one, refreshed
// before it expires, modified on every status change, removed at exit.
type publication struct {
	mu          sync.Mutex // one PUBLISH exchange at a time: each needs the last ETag
	asked       int        // Expires we ask for
	etag        string
	timer       *time.Timer
	unsupported bool
	attempt     int
}

func newPublication(expires int) *publication { return &publication{asked: expires} }

// What a PUBLISH does (RFC 3903 4.1).
type pubKind int

const (
	pubInitial pubKind = iota // a new document, no SIP-If-Match
	pubModify                 // the current document replaced
	pubRefresh                // no body: only the expiry moves
)

// publish sends our current presence in the background (server mode).
func (c *Client) publish(kind pubKind) {
	if c.pub == nil || c.isClosed() {
		return
	}
	// Bound by the registration's context: it ends first at Close, so an
	// exchange in flight gives way at once to the removal.
	go c.publishNow(c.reg.ctx, kind)
}

func (c *Client) publishNow(ctx context.Context, kind pubKind) {
	p := c.pub
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
		req, err := c.publishRequest(kind, p.etag, expires)
		if err != nil {
			c.emit(PublicationChanged{AOR: c.AOR(), State: PubFailed, Reason: err.Error()})
			return
		}
		res, err := c.do(ctx, req)
		if err == nil {
			c.published(p, res, expires)
			return
		}
		var re *ResponseError
		if !errors.As(err, &re) {
			c.publishFailed(p, res, err)
			return
		}
		switch re.Code {
		case 412: // the server forgot our document: start over (RFC 3903 4.1)
			p.etag, kind = "", pubInitial
			continue
		case 423:
			if min, ok, _ := minExpires(res); ok && min > expires {
				expires = min
				continue
			}
		case 405, 489, 501:
			p.unsupported = true
			c.emit(PublicationChanged{AOR: c.AOR(), State: PubUnsupported, Code: re.Code,
				Reason: "the server does not take presence publications (" + strconv.Itoa(re.Code) + " " + re.Reason + "); peers who subscribe directly still see your status"})
			return
		}
		c.publishFailed(p, res, err)
		return
	}
}

func (c *Client) publishRequest(kind pubKind, etag string, expires int) (*sip.Request, error) {
	req := c.newRequest(sip.PUBLISH, c.aor)
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	if etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", etag))
	}
	if kind == pubRefresh || expires == 0 {
		return req, nil
	}
	if err := setPresenceBody(req, c.Presence(), aorString(c.aor), c.contact.String(), pidf.ContentTypePIDF); err != nil {
		return nil, err
	}
	return req, nil
}

// published keeps the entity tag of a 2xx and schedules the refresh.
// Caller holds p.mu.
func (c *Client) published(p *publication, res *sip.Response, asked int) {
	p.etag = headerValue(res, "SIP-ETag")
	granted := asked
	if n, ok, err := expiresHeader(res); ok && err == nil {
		granted = n
	}
	p.attempt = 0
	c.emit(PublicationChanged{AOR: c.AOR(), State: PubPublished, Code: res.StatusCode, Expires: granted})
	c.schedulePublish(p, refreshDelay(granted), pubRefresh)
}

// publishFailed reports the failure and tries again later (a 500 from a
// busy server with Retry-After is the usual case). Caller holds p.mu.
func (c *Client) publishFailed(p *publication, res *sip.Response, err error) {
	delay := c.backoff(p.attempt)
	p.attempt++
	if ra := retryAfter(res); ra > 0 {
		delay = ra
	}
	ev := PublicationChanged{AOR: c.AOR(), State: PubFailed, Reason: failureWords(err)}
	var re *ResponseError
	if errors.As(err, &re) {
		ev.Code = re.Code
	}
	c.emit(ev)
	c.schedulePublish(p, delay, pubModify)
}

func (c *Client) schedulePublish(p *publication, d time.Duration, kind pubKind) {
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(d, func() { c.publish(kind) })
}

// unpublish removes our document (Expires: 0) at exit, bounded by ctx.
func (c *Client) unpublish(ctx context.Context) {
	p := c.pub
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.etag == "" || p.unsupported {
		return
	}
	req, err := c.publishRequest(pubRefresh, p.etag, 0)
	if err == nil {
		_, err = c.do(ctx, req)
	}
	p.etag = ""
	ev := PublicationChanged{AOR: c.AOR(), State: PubRemoved}
	if err != nil {
		ev.Reason = failureWords(err)
	}
	c.emit(ev)
}
