package sipclient

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
)

// fakePeer is a pager on TCP that answers each MESSAGE with what answer
// says and hands the requests to the test.
type fakePeer struct {
	ln   net.Listener
	reqs chan *sip.Request
	mu   sync.Mutex
	next []answerSpec // answers to give, in order; then 200
}

type answerSpec struct {
	code   int
	reason string
	hdrs   []string // name, value, ...
}

func newFakePeer(t *testing.T, answers ...answerSpec) *fakePeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePeer{ln: ln, reqs: make(chan *sip.Request, 16), next: answers}
	t.Cleanup(func() { ln.Close() })
	go f.accept()
	return f
}

func (f *fakePeer) uri() string { return "sip:fake@" + f.ln.Addr().String() + ";transport=tcp" }
func (f *fakePeer) aor() string { return "sip:fake@" + f.ln.Addr().String() }

func (f *fakePeer) accept() {
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.serve(conn)
	}
}

func (f *fakePeer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for range 100 {
		raw, err := readSIP(r, nil)
		if err != nil {
			return
		}
		m, err := newParser().ParseSIP([]byte(raw))
		req, ok := m.(*sip.Request)
		if err != nil || !ok {
			continue
		}
		a := f.pop()
		res := sip.NewResponseFromRequest(req, a.code, a.reason, nil)
		for i := 0; i+1 < len(a.hdrs); i += 2 {
			res.AppendHeader(sip.NewHeader(a.hdrs[i], a.hdrs[i+1]))
		}
		conn.Write([]byte(res.String()))
		f.reqs <- req
	}
}

func (f *fakePeer) pop() answerSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.next) == 0 {
		return answerSpec{code: 200, reason: "OK"}
	}
	a := f.next[0]
	f.next = f.next[1:]
	return a
}

// request waits for the next MESSAGE the peer answered.
func (f *fakePeer) request(t *testing.T) *sip.Request {
	t.Helper()
	select {
	case r := <-f.reqs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no MESSAGE reached the fake peer")
		return nil
	}
}

func isStatus(id MessageID, status history.State) func(Event) bool {
	return func(e Event) bool { s, ok := e.(MessageStatus); return ok && s.ID == id && s.Status == status }
}

// freePort returns a loopback port nobody listens on (a moment ago).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// (b) A peer that is not up yet: the message fails, is announced as
// failed with a retry time, and is delivered once the peer comes up, in
// the same process and exactly once.
func TestOutboxRetriesUntilPeerUp(t *testing.T) {
	port := freePort(t)
	a, ra := newTestClient(t, "a", "tcp", WithOutboxBackoff(50*time.Millisecond, 100*time.Millisecond))
	bob := fmt.Sprintf("sip:bob@127.0.0.1:%d", port)
	id, err := a.SendMessage(context.Background(), bob+";transport=tcp", "are you there?")
	if err != nil {
		t.Fatal(err)
	}
	st := ra.wait(t, "failure", isStatus(id, MsgFailed)).(MessageStatus)
	if st.RetryAt.IsZero() || st.To != bob {
		t.Errorf("failure %+v: want a retry time", st)
	}
	bc, rb := clientOn(t, port, "bob")
	rb.wait(t, "delivery", isMessage("are you there?"))
	ra.wait(t, "sent", isStatus(id, MsgSent))
	wantHistory(t, bc, a.AOR(), "in received are you there?")
	h := wantHistory(t, a, bob, "out sent are you there?")
	if h[0].ID != id {
		t.Errorf("history ID %s, SendMessage said %s", h[0].ID, id)
	}
}

// clientOn starts a client listening on a given loopback port.
func clientOn(t *testing.T, port int, user string) (*Client, *recorder) {
	t.Helper()
	c, err := New(Config{ListenAddr: fmt.Sprintf("127.0.0.1:%d", port), User: user, Transport: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c)
}

// (a) A message that could not be sent before the client closed is sent
// by the next client on the same history file, with the same ID.
func TestOutboxResumesAfterRestart(t *testing.T) {
	path := t.TempDir() + "/history.db"
	ctx := context.Background()
	port := freePort(t)
	bob := fmt.Sprintf("sip:bob@127.0.0.1:%d", port)

	s1, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a1, r1 := newTestClient(t, "a", "tcp", WithStore(s1), WithOutboxBackoff(time.Hour))
	id, err := a1.SendMessage(ctx, bob+";transport=tcp", "see you after the restart")
	if err != nil {
		t.Fatal(err)
	}
	r1.wait(t, "failure", isStatus(id, MsgFailed))
	a1.Close()
	s1.Close()

	_, rb := clientOn(t, port, "bob")
	s2, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	a2, r2 := newTestClient(t, "a", "tcp", WithStore(s2), WithOutboxBackoff(time.Hour))
	a2.ResumeOutbox()
	rb.wait(t, "delivery", isMessage("see you after the restart"))
	r2.wait(t, "sent", isStatus(id, MsgSent))
	if n := rb.count(anyMessage); n != 1 {
		t.Errorf("bob got %d messages, want 1", n)
	}
}

// A message left pending by a crash is sent with the Call-ID, From tag and
// CSeq it was stored with, so a peer that had taken it can tell.
func TestOutboxReusesIdentifiers(t *testing.T) {
	store, _ := openStore(t)
	peer := newFakePeer(t)
	id, err := store.AddOutgoing(context.Background(), history.Message{PeerURI: peer.uri(), Text: "sent before the crash",
		CallID: "crash-call", FromTag: "crash-tag", CSeq: 7})
	if err != nil {
		t.Fatal(err)
	}
	c, rec := newTestClient(t, "a", "tcp", WithStore(store))
	c.ResumeOutbox()
	req := peer.request(t)
	if req.CallID().Value() != "crash-call" || tagOf(req.From().Params) != "crash-tag" || req.CSeq().SeqNo != 7 ||
		string(req.Body()) != "sent before the crash" {
		t.Errorf("resent as:\n%s", req)
	}
	rec.wait(t, "sent", isStatus(MessageID(id), MsgSent))
}

// A copy of a message read while an attempt was on its way is not sent
// once that attempt has been recorded: the outbox reads the row again
// after claiming it. (CI once saw the stale copy go out with the old CSeq.)
func TestOutboxSkipsStaleCopy(t *testing.T) {
	store, _ := openStore(t)
	peer := newFakePeer(t)
	ctx := context.Background()
	row, err := store.AddOutgoing(ctx, history.Message{PeerURI: peer.uri(), Text: "refused for good",
		CallID: "stale-call", FromTag: "stale-tag", CSeq: 1})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := store.Get(ctx, row)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.MarkFailed(ctx, row, 404, "Not Found", time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestClient(t, "a", "tcp", WithStore(store), WithOutboxBackoff(time.Hour))
	c.pager.startSend(stale, 0, time.Now())
	c.pager.work.Wait()
	select {
	case req := <-peer.reqs:
		t.Errorf("the stale copy was sent:\n%s", req)
	default:
	}
	if got, _ := store.Get(ctx, row); got.State != history.StateFailed || got.Code != 404 {
		t.Errorf("row now %s %d, want failed 404", got.State, got.Code)
	}
}

// DeliverMessage on a message the outbox loop claimed first waits for that
// send to end instead of failing.
func TestDeliverWaitsForOutboxClaim(t *testing.T) {
	store, _ := openStore(t) // fresh: the first message is row 1
	peer := newFakePeer(t)
	c, _ := newTestClient(t, "a", "tcp", WithStore(store))
	m := c.pager
	if ok, _ := m.claim(1); !ok {
		t.Fatal("row 1 already claimed")
	}
	type result struct {
		d   Delivery
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := c.DeliverMessage(context.Background(), peer.uri(), "after the outbox")
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("DeliverMessage returned %+v, %v while the message was claimed", r.d, r.err)
	case <-time.After(100 * time.Millisecond):
	}
	m.release(1)
	r := <-done
	if r.err != nil || r.d.ID != 1 || r.d.Status != MsgSent {
		t.Errorf("DeliverMessage = %+v, %v; want 1 sent", r.d, r.err)
	}
	if req := peer.request(t); string(req.Body()) != "after the outbox" {
		t.Errorf("peer got %q", req.Body())
	}
}

// Refusals: one that may pass is retried (as a new request, next CSeq, same
// Call-ID); a permanent one is not, until the user asks.
func TestOutboxRefusals(t *testing.T) {
	peer := newFakePeer(t, answerSpec{code: 480, reason: "Temporarily Unavailable"},
		answerSpec{code: 404, reason: "Not Found"})
	c, rec := newTestClient(t, "a", "tcp", WithOutboxBackoff(20*time.Millisecond))
	ctx := context.Background()
	id, err := c.SendMessage(ctx, peer.uri(), "knock knock")
	if err != nil {
		t.Fatal(err)
	}
	first := peer.request(t)
	second := peer.request(t)
	if second.CallID().Value() != first.CallID().Value() || second.CSeq().SeqNo != first.CSeq().SeqNo+1 {
		t.Errorf("retry is Call-ID %s CSeq %d after %s %d", second.CallID().Value(), second.CSeq().SeqNo,
			first.CallID().Value(), first.CSeq().SeqNo)
	}
	st := rec.wait(t, "404", func(e Event) bool { s, ok := e.(MessageStatus); return ok && s.ID == id && s.Code == 404 }).(MessageStatus)
	if st.Status != MsgFailed || !st.RetryAt.IsZero() {
		t.Errorf("404 status %+v: want failed for good", st)
	}
	h := wantHistory(t, c, peer.aor(), "out failed knock knock")
	if !h[0].RetryAt.IsZero() || h[0].Code != 404 {
		t.Errorf("history %+v", h[0])
	}
	if err := c.RetryMessage(ctx, id); err != nil {
		t.Fatal(err)
	}
	if third := peer.request(t); third.CSeq().SeqNo != second.CSeq().SeqNo+1 {
		t.Errorf("user retry has CSeq %d", third.CSeq().SeqNo)
	}
	rec.wait(t, "sent", isStatus(id, MsgSent))
	if err := c.RetryMessage(ctx, id); !errors.Is(err, history.ErrState) {
		t.Errorf("retrying a sent message: %v", err)
	}
	if err := c.DeleteMessage(ctx, id); err != nil {
		t.Fatal(err)
	}
	wantHistory(t, c, peer.aor())
	if err := c.DeleteMessage(ctx, id); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

// classify: which failures are retried, after how long.
func TestClassify(t *testing.T) {
	o := defaultOptions()
	c := newPager(context.Background(), &fakeSeam{}, &o)
	res := func(code int, hdrs ...string) (*sip.Response, error) {
		r := sip.NewResponse(code, "x")
		for i := 0; i+1 < len(hdrs); i += 2 {
			r.AppendHeader(sip.NewHeader(hdrs[i], hdrs[i+1]))
		}
		return r, &ResponseError{Method: "MESSAGE", Code: code, Reason: "x"}
	}
	for _, tc := range []struct {
		code      int
		hdrs      []string
		attempts  int
		wantDelay time.Duration // 0: no automatic retry
	}{
		{480, nil, 1, 5 * time.Second},
		{503, nil, 2, 15 * time.Second},
		{408, nil, 4, 5 * time.Minute},
		{486, nil, 99, 15 * time.Minute},
		{480, []string{"Retry-After", "120 (lunch)"}, 1, 2 * time.Minute},
		{500, []string{"Retry-After", "30"}, 1, 30 * time.Second},
		{500, nil, 1, 0},
		{403, nil, 1, 0},
		{404, nil, 1, 0},
		{415, nil, 1, 0},
		{488, nil, 1, 0},
		{606, nil, 1, 0},
	} {
		r, err := res(tc.code, tc.hdrs...)
		before := time.Now()
		o := c.classify(r, err, tc.attempts)
		after := time.Now()
		if o.status != MsgFailed || o.code != tc.code || !o.refused {
			t.Errorf("%d: %+v", tc.code, o)
		}
		switch {
		case tc.wantDelay == 0 && !o.retryAt.IsZero():
			t.Errorf("%d %v: retry at %v, want none", tc.code, tc.hdrs, o.retryAt)
		case tc.wantDelay > 0 && (o.retryAt.Before(before.Add(tc.wantDelay)) || o.retryAt.After(after.Add(tc.wantDelay))):
			t.Errorf("%d %v attempt %d: retry in %v, want %v", tc.code, tc.hdrs, tc.attempts, o.retryAt.Sub(before), tc.wantDelay)
		}
	}
	if o := c.classify(nil, fmt.Errorf("x: %w", ErrNoResponse), 1); o.code != 408 || o.retryAt.IsZero() {
		t.Errorf("no answer: %+v", o)
	}
	if o := c.classify(nil, errors.New("dial tcp: connection refused"), 1); o.code != 503 || o.retryAt.IsZero() {
		t.Errorf("unreachable: %+v", o)
	}
	if o := c.classify(sip.NewResponse(202, "Accepted"), nil, 1); o.status != MsgStored {
		t.Errorf("202: %+v", o)
	}
}

// Identities sharing a store: a client skips the queue another one owns,
// even when that queue is longer than a page, and still sends its own.
func TestOutboxShareSkipsForeignQueue(t *testing.T) {
	store, _ := openStore(t)
	ctx := context.Background()
	for i := range 3 * maxInFlight {
		if _, err := store.AddOutgoing(ctx, history.Message{PeerURI: "sip:someone@elsewhere.test", Text: fmt.Sprint("not mine ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	peer := newFakePeer(t)
	if _, err := store.AddOutgoing(ctx, history.Message{PeerURI: peer.uri(), Text: "mine"}); err != nil {
		t.Fatal(err)
	}
	c, _ := newTestClient(t, "a", "tcp", WithStore(store),
		WithOutboxShare(func(aor string) bool { return aor == peer.aor() }))
	c.ResumeOutbox()
	if req := peer.request(t); string(req.Body()) != "mine" {
		t.Errorf("sent %q", req.Body())
	}
}
