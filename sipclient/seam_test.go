package sipclient

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
)

// fakeSeam is the user agent of one role's unit test: it answers each
// request with what answer returns (nil: no answer at all) and keeps what
// was sent, answered and emitted. No socket, no other role.
type fakeSeam struct {
	answer func(req *sip.Request) *sip.Response
	stun   func() (*net.UDPAddr, error) // stunPing's answer; nil: none
	conn   sip.Connection               // connection's answer; nil: none open

	mu      sync.Mutex
	sent    []*sip.Request
	answers []*sip.Response // what respond and accept sent back
	events  []Event
	forgot  int                  // forgetAuth calls
	pong    map[string]time.Time // lastPong's answer by local address
	heard   []string             // the peer of each heardFrom call
	closed  bool
}

var (
	_ flowSeam   = (*fakeSeam)(nil)
	_ dialogSeam = (*fakeSeam)(nil)
)

func (f *fakeSeam) newRequest(method sip.RequestMethod, target sip.Uri) *sip.Request {
	req := sip.NewRequest(method, target)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	callID := sip.CallIDHeader(sip.GenerateTagN(24))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: target, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	f.finishRequest(req, "UDP")
	return req
}

func (f *fakeSeam) finishRequest(req *sip.Request, transport string) {
	req.SetBody(nil)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1", Port: 5062}})
	req.SetTransport(transport)
}

func (f *fakeSeam) do(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	res, err := f.roundTrip(ctx, req)
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return res, &ResponseError{Method: string(req.Method), Code: res.StatusCode, Reason: res.Reason}
	}
	return res, nil
}

func (f *fakeSeam) roundTrip(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	f.mu.Lock()
	f.sent = append(f.sent, req.Clone())
	f.mu.Unlock()
	if res := f.answer(req); res != nil {
		return res, nil
	}
	return nil, ErrNoResponse
}

// respond keeps the answer; tx is not used (tests pass nil).
func (f *fakeSeam) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...string) *sip.Response {
	res := reply(req, code, reason, hdrs...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, res)
	return res
}

func (f *fakeSeam) backoff(attempt int) time.Duration { return time.Duration(attempt+1) * time.Second }

func (f *fakeSeam) heardFrom(peer identity.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heard = append(f.heard, peer.String())
}

func (f *fakeSeam) emit(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
}

func (f *fakeSeam) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func (f *fakeSeam) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
}

func (f *fakeSeam) newDialog(target sip.Uri) *dialog {
	return &dialog{callID: sip.GenerateTagN(24), localTag: sip.GenerateTagN(16),
		localURI:  &sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"},
		remoteURI: sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port}, remoteTarget: target,
		transport: "UDP"}
}

func (f *fakeSeam) dialogRequest(d *dialog, method sip.RequestMethod) *sip.Request {
	req := d.request(method)
	f.finishRequest(req, d.transport)
	return req
}

func (f *fakeSeam) accept(req *sip.Request, tx sip.ServerTransaction, tag string, hdrs ...string) {
	res := reply(req, 202, "Accepted", hdrs...)
	res.To().Params.Add("tag", tag)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, res)
}

// stunPing answers what stun returns; without it, nothing, as a server
// without STUN.
func (f *fakeSeam) stunPing(ctx context.Context, server string) (*net.UDPAddr, error) {
	if f.stun != nil {
		return f.stun()
	}
	return nil, ErrNoResponse
}

// lastPong: what pong returns, else never.
func (f *fakeSeam) lastPong(local string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pong[local]
}

// connection: conn, or no stream to the server open.
func (f *fakeSeam) connection(transport, addr string) sip.Connection {
	if f.conn == nil {
		return nil
	}
	return f.conn
}

func (f *fakeSeam) forgetAuth() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgot++
}

// requests returns what was sent so far.
func (f *fakeSeam) requests() []*sip.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sip.Request(nil), f.sent...)
}

// responses returns what respond and accept sent back so far.
func (f *fakeSeam) responses() []*sip.Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sip.Response(nil), f.answers...)
}

// awaitRequests waits until n requests were sent (roles send from their
// own goroutines) and returns them all.
func (f *fakeSeam) awaitRequests(t *testing.T, n int) []*sip.Request {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		sent := f.requests()
		if len(sent) >= n {
			return sent
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests sent, want %d", len(sent), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// awaitEvent waits for an event that matches and returns it.
func (f *fakeSeam) awaitEvent(t *testing.T, what string, match func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, e := range f.emitted() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event; got %+v", what, f.emitted())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// emitted returns what was emitted so far.
func (f *fakeSeam) emitted() []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.events...)
}

// lastEvent is the last event f emitted.
func lastEvent(t *testing.T, f *fakeSeam) Event {
	t.Helper()
	evs := f.emitted()
	if len(evs) == 0 {
		t.Fatal("no event")
	}
	return evs[len(evs)-1]
}

// reply answers req with code and headers given as name/value pairs.
func reply(req *sip.Request, code int, reason string, hdrs ...string) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for i := 0; i+1 < len(hdrs); i += 2 {
		res.AppendHeader(sip.NewHeader(hdrs[i], hdrs[i+1]))
	}
	return res
}
