package sipclient

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// binding keeps our binding at the registrar (RFC 3261 10): one goroutine
// registers, refreshes at 80% of the granted time, asks again for longer
// after a 423, backs off on failure, registers the public address a NAT
// shows the registrar, and notices a lost way to the server
// (keepalive.go). stop removes the binding.
type binding struct {
	ua          flowSeam
	srv         *server  // the account: AOR, registrar, proxy, transport, intervals
	display     string   // our display name in From
	local       sip.Addr // our Contact's UDP address before a NAT is learnt
	pingTimeout time.Duration
	patience    time.Duration // least wait after a wrong password
	log         *slog.Logger
	// onRegistered runs after a first registration (again false), or one
	// that follows a failure or a lost connection (again true).
	onRegistered func(again bool)
	callID       string

	// public is the UDP address the registrar saw us at (Via received and
	// rport), when it differs from ours: a NAT is in between, and our
	// Contact must name the public side (RFC 3581).
	public atomic.Pointer[sip.Addr]
	// flow is what the last 2xx said of Outbound and our GRUUs
	// (outbound.go); nil before the first.
	flow atomic.Pointer[flow]
	// stale is the Contact address our last REGISTER named before we
	// learnt the public one: the next REGISTER removes its binding
	// (expires=0), or the registrar would keep forking to a private
	// address. Loop goroutine only.
	stale *sip.Addr
	// pingAt is when the CRLF ping still awaiting its pong went out;
	// zero when none is. Loop goroutine only.
	pingAt time.Time

	mu         sync.Mutex
	cseq       uint32 // the same Call-ID and a rising CSeq for every REGISTER
	registered bool
	granted    int  // seconds the registrar gave the current binding
	ever       bool // registered at least once
	attempt    int  // consecutive failures, for the backoff; loop goroutine only

	cancel context.CancelFunc // ends the loop
	done   chan struct{}      // closed when the loop has ended
	woken  chan struct{}      // wake: register now (capacity 1)
}

// newBinding prepares the binding of the account srv; local is the UDP
// address our Contact names until the registrar tells otherwise.
func newBinding(ua flowSeam, srv *server, display string, local sip.Addr, o *options) *binding {
	return &binding{ua: ua, srv: srv, display: display, local: local,
		pingTimeout: min(o.reqTimeout, 5*time.Second), patience: min(o.retryMax, time.Minute),
		log: o.log, callID: sip.GenerateTagN(24), woken: make(chan struct{}, 1)}
}

// wake makes the loop register now, as after its timer (Client.Refresh).
func (b *binding) wake() {
	select {
	case b.woken <- struct{}{}:
	default: // one is already asked for
	}
}

// start registers in the background until halt, or until ctx ends.
func (b *binding) start(ctx context.Context) {
	ctx, b.cancel = context.WithCancel(ctx)
	b.done = make(chan struct{})
	b.ua.emit(RegistrationChanged{AOR: b.aor(), State: RegRegistering})
	go b.loop(ctx)
}

// halt ends the loop and waits for it: no REGISTER goes out after, and
// one in flight gives way.
func (b *binding) halt() {
	if b.done == nil {
		return // never started
	}
	b.cancel()
	<-b.done
}

// stop halts the loop and removes our own binding (not "*": other devices
// of the user stay registered). Bounded by ctx.
func (b *binding) stop(ctx context.Context) {
	b.halt()
	b.mu.Lock()
	was := b.registered
	b.registered = false
	b.mu.Unlock()
	if !was {
		return
	}
	_, err := b.ua.do(ctx, b.request(0))
	ev := RegistrationChanged{AOR: b.aor(), State: RegUnregistered}
	if err != nil {
		ev.Reason = "could not unregister: " + failureWords(err)
	}
	b.ua.emit(ev)
}

func (b *binding) aor() string { return b.srv.aor.String() }

// contactAddr is the UDP address our Contact names: the public one once
// the registrar has shown it.
func (b *binding) contactAddr() sip.Addr {
	if p := b.public.Load(); p != nil {
		return *p
	}
	return b.local
}

func (b *binding) loop(ctx context.Context) {
	defer close(b.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	check := time.NewTicker(time.Second)
	defer check.Stop()
	lastPing := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-b.woken:
		case <-check.C:
			if b.connectionAlive(ctx, &lastPing) {
				continue
			}
		}
		timer.Reset(b.register(ctx))
	}
}

// register sends one REGISTER (and another after a 423, or after
// learning our public address) and returns when to send the next.
func (b *binding) register(ctx context.Context) time.Duration {
	expires := b.srv.cfg.Expires
	for range 4 {
		req := b.request(expires)
		res, err := b.ua.do(ctx, req)
		b.syncCSeq(req)
		if ctx.Err() != nil {
			return time.Hour
		}
		if err == nil && b.learnPublicAddress(res) {
			continue // register the public address instead
		}
		if err == nil {
			b.stale = nil
			f := readFlow(res, b.srv.cfg.InstanceID)
			f.conn = b.streamConn()
			b.flow.Store(f)
			return b.succeeded(grantedExpires(res, req, expires))
		}
		var re *ResponseError
		if errors.As(err, &re) && re.Code == 423 {
			if min, ok, _ := minExpires(res); ok && min > expires {
				expires = min
				continue
			}
		}
		return b.failed(res, err)
	}
	return b.failed(nil, errors.New("the server keeps asking for a longer registration"))
}

// request builds a REGISTER for expires seconds: our Call-ID, the next
// CSeq, sent to the outbound proxy.
func (b *binding) request(expires int) *sip.Request {
	s := b.srv
	req := sip.NewRequest(sip.REGISTER, *s.registrar.Clone())
	from := &sip.FromHeader{DisplayName: b.display, Address: s.aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	callID := sip.CallIDHeader(b.callID)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: s.aor, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	b.mu.Lock()
	b.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: b.cseq, MethodName: sip.REGISTER})
	b.mu.Unlock()
	b.ua.finishRequest(req, s.transport)
	if ct := req.Contact(); ct != nil {
		ct.Params = sip.NewParams()
		ct.Params.Add("expires", strconv.Itoa(expires))
	}
	offerOutbound(req, s.cfg.InstanceID)
	b.removeStale(req)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.SetDestination(s.proxy)
	return req
}

// syncCSeq keeps our CSeq above what an authentication retry used.
func (b *binding) syncCSeq(req *sip.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cs := req.CSeq(); cs != nil && cs.SeqNo > b.cseq {
		b.cseq = cs.SeqNo
	}
}

// gruu is this device's public GRUU from the last 2xx, or nil: the
// Contact of our requests through the server (RFC 5627 4.4).
func (b *binding) gruu() *sip.Uri {
	if f := b.flow.Load(); f != nil && f.pubGRUU != nil {
		return f.pubGRUU
	}
	return nil
}

// learnPublicAddress reads the registrar's received/rport from the 2xx to
// a UDP REGISTER. It reports true when our Contact must change to them.
func (b *binding) learnPublicAddress(res *sip.Response) bool {
	via := res.Via()
	if b.srv.transport != "UDP" || via == nil {
		return false
	}
	host, _ := via.Params.Get("received")
	port := via.Port
	if v, ok := via.Params.Get("rport"); ok && v != "" {
		port, _ = strconv.Atoi(v)
	}
	if host == "" {
		host = via.Host
	}
	if net.ParseIP(host) == nil || port <= 0 {
		return false
	}
	cur := b.contactAddr()
	if host == cur.IP.String() && port == cur.Port {
		return false
	}
	if b.srv.cfg.InstanceID == "" || !hasOptionTag(res, "Require", "outbound") {
		// A registrar doing Outbound replaces the old binding by our
		// instance ID by itself (RFC 5626 6); any other keeps it, even
		// with the ID in our Contact, and it must be removed.
		b.stale = &cur
	}
	b.public.Store(&sip.Addr{IP: net.ParseIP(host), Port: port})
	b.log.Info("registrar sees us at another address; advertising it", "address", net.JoinHostPort(host, strconv.Itoa(port)))
	return true
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

// succeeded records a 2xx and returns when to refresh. After a first
// registration, or one that follows a failure or a lost connection,
// onRegistered restarts what depends on it.
func (b *binding) succeeded(granted int) time.Duration {
	b.mu.Lock()
	fresh, again := !b.registered, b.ever
	changed := fresh || b.granted != granted
	b.registered, b.ever, b.granted = true, true, granted
	b.mu.Unlock()
	b.attempt = 0
	if changed {
		b.ua.emit(RegistrationChanged{AOR: b.aor(), State: RegRegistered, Code: 200, Expires: granted})
	}
	if fresh && b.onRegistered != nil {
		b.onRegistered(again)
	}
	if granted <= 0 {
		return time.Hour // the registrar granted nothing to refresh
	}
	return refreshDelay(granted)
}

// failed reports a failed REGISTER and returns when to try again.
func (b *binding) failed(res *sip.Response, err error) time.Duration {
	delay := b.ua.backoff(b.attempt)
	b.attempt++
	if errors.Is(err, ErrWrongPassword) {
		delay = max(delay, b.patience) // a wrong password will not fix itself
	}
	if ra := retryAfter(res); ra > 0 {
		delay = ra
	}
	ev := RegistrationChanged{AOR: b.aor(), State: RegFailed, Reason: failureWords(err), RetryIn: delay}
	var re *ResponseError
	if errors.As(err, &re) {
		ev.Code = re.Code
	}
	b.mu.Lock()
	b.registered = false
	b.mu.Unlock()
	b.ua.emit(ev)
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

// removeStale adds to a REGISTER the address our Contact named before the
// NAT's public one was known, with expires=0 (RFC 3261 10.2.2).
func (b *binding) removeStale(req *sip.Request) {
	ct := req.Contact()
	if b.stale == nil || ct == nil {
		return
	}
	old := ct.Clone()
	old.Address.Host, old.Address.Port = b.stale.IP.String(), b.stale.Port
	old.Params = sip.NewParams()
	old.Params.Add("expires", "0")
	// sipgo's Contact() is the last Contact added: ours goes last, so it
	// stays the one grantedExpires and a parsing registrar take as ours.
	req.RemoveHeader("Contact")
	req.AppendHeader(old)
	req.AppendHeader(ct)
}
