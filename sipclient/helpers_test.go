package sipclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/idtest"
	"github.com/parley-im/parley/sipclient/identity"

	"github.com/emiago/sipgo/sip"
)

// recorder collects a client's events so tests can wait for one.
type recorder struct {
	mu     sync.Mutex
	cond   *sync.Cond
	events []Event
	closed bool
}

func record(c *Client) *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	go func() {
		for e := range c.Events() {
			r.mu.Lock()
			r.events = append(r.events, e)
			r.cond.Broadcast()
			r.mu.Unlock()
		}
		r.mu.Lock()
		r.closed = true
		r.cond.Broadcast()
		r.mu.Unlock()
	}()
	return r
}

// wait returns the first event (from the start) that matches, or fails.
func (r *recorder) wait(t testing.TB, what string, match func(Event) bool) Event {
	t.Helper()
	e, _ := r.waitAfter(t, 0, what, match)
	return e
}

// waitAfter is the first event after index from that matches, and its
// index; it fails after 10 s without one.
func (r *recorder) waitAfter(t testing.TB, from int, what string, match func(Event) bool) (Event, int) {
	t.Helper()
	deadline := time.AfterFunc(10*time.Second, func() {
		r.mu.Lock()
		r.closed = true
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer deadline.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := from; ; r.cond.Wait() {
		for ; i < len(r.events); i++ {
			if match(r.events[i]) {
				return r.events[i], i
			}
		}
		if r.closed {
			t.Fatalf("no %s event; got %s", what, r.dump())
		}
	}
}

func (r *recorder) count(match func(Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.countLocked(match)
}

func (r *recorder) dump() string {
	var b strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&b, "\n  %T %+v", e, e)
	}
	return b.String()
}

func newTestClient(t testing.TB, user, transport string, opts ...Option) (*Client, *recorder) {
	t.Helper()
	opts = append([]Option{WithRetry(200*time.Millisecond, 2*time.Second), WithRequestTimeout(5 * time.Second)}, opts...)
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: user, Transport: transport}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c)
}

func isPresence(uri string, basic Basic) func(Event) bool {
	return func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && p.URI == uri && p.Basic == basic
	}
}

func isSub(uri string, state SubscriptionState) func(Event) bool {
	return func(e Event) bool {
		s, ok := e.(SubscriptionChanged)
		return ok && s.URI == uri && s.State == state
	}
}

// tcpAddr is the client's TCP listening address.
func tcpAddr(c *Client) string {
	for _, a := range c.listeners {
		if a.Network() == "tcp" {
			return a.String()
		}
	}
	return ""
}

// rawConn is a test peer speaking SIP by hand over one TCP connection.
type rawConn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (rc *rawConn) write(b []byte) {
	rc.t.Helper()
	if _, err := rc.conn.Write(b); err != nil {
		rc.t.Fatal(err)
	}
}

// read returns the next whole SIP message from the stream, raw.
func (rc *rawConn) read() string {
	rc.t.Helper()
	rc.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	raw, err := readSIP(rc.r, nil)
	if err != nil {
		rc.t.Fatalf("reading SIP message: %v (so far %q)", err, raw)
	}
	return raw
}

// readSIP reads one SIP message, head and body, off a stream. A bare CRLF
// before a message (a keep-alive ping) is skipped once onPing, if any,
// has seen it; an error from onPing ends the read. No t.Fatal: fake peers
// call it from their goroutines.
func readSIP(r *bufio.Reader, onPing func() error) (string, error) {
	var head strings.Builder
	length := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return head.String(), err
		}
		if head.Len() == 0 && line == "\r\n" {
			if onPing != nil {
				if err := onPing(); err != nil {
					return "", err
				}
			}
			continue
		}
		head.WriteString(line)
		if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Content-Length") || strings.TrimSpace(k) == "l") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
		if line == "\r\n" {
			break
		}
	}
	body := make([]byte, length)
	_, err := io.ReadFull(r, body)
	return head.String() + string(body), err
}

func parse(t testing.TB, raw string) sip.Message {
	t.Helper()
	m, err := newParser().ParseSIP([]byte(raw))
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return m
}

// rawRequest builds a request as a peer would write it by hand.
func rawRequest(method, target string, extra []string, body string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, target)
	fmt.Fprintf(&b, "Via: SIP/2.0/TCP peer.example:5099;branch=z9hG4bK%s\r\n", sip.GenerateTagN(10))
	b.WriteString("Max-Forwards: 70\r\nFrom: <sip:peer@peer.example>;tag=ptag1\r\nTo: <" + target + ">\r\n")
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: 1 %s\r\nContact: <sip:peer@peer.example;transport=tcp>\r\n", sip.GenerateTagN(12), method)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// exchange writes a raw request and returns the parsed answer.
func (rc *rawConn) exchange(req []byte) *sip.Response {
	rc.t.Helper()
	rc.write(req)
	m := parse(rc.t, rc.read())
	res, ok := m.(*sip.Response)
	if !ok {
		rc.t.Fatalf("expected a response, got:\n%s", m)
	}
	return res
}

// readRequest reads the next message and requires a request.
func (rc *rawConn) readRequest() *sip.Request {
	rc.t.Helper()
	m := parse(rc.t, rc.read())
	req, ok := m.(*sip.Request)
	if !ok {
		rc.t.Fatalf("expected a request, got:\n%s", m)
	}
	return req
}

// answer writes a 200 for req.
func (rc *rawConn) answer(req *sip.Request) {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	rc.write([]byte(res.String()))
}

func (r *recorder) countLocked(match func(Event) bool) int {
	n := 0
	for _, e := range r.events {
		if match(e) {
			n++
		}
	}
	return n
}

// fakePresentity listens on TCP, makes c subscribe to it, and returns the
// accepted connection and the contact's AOR.
func fakePresentity(t testing.TB, c *Client) (*rawConn, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	aor := "sip:fake@" + ln.Addr().String()
	if err := c.Subscribe(context.Background(), aor+";transport=tcp"); err != nil {
		t.Fatal(err)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}, aor
}

// rawNotify builds a NOTIFY in the dialog that sub creates.
func rawNotify(sub *sip.Request, cseq int, state, ct, body string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "NOTIFY %s SIP/2.0\r\n", sub.Contact().Address.String())
	fmt.Fprintf(&b, "Via: SIP/2.0/TCP fake.example:5099;branch=z9hG4bK%s\r\n", sip.GenerateTagN(10))
	fmt.Fprintf(&b, "From: <%s>;tag=fake-tag\r\nTo: %s\r\nCall-ID: %s\r\n", sub.Recipient.String(), sub.From().Value(), sub.CallID().Value())
	fmt.Fprintf(&b, "CSeq: %d NOTIFY\r\nEvent: presence\r\nSubscription-State: %s\r\n", cseq, state)
	if body != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", ct)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID

// funcBook is a contact book made of functions; a nil one answers as the
// open book does (everyone may watch, no contacts, no blocks).
type funcBook struct {
	decide  func(identity.ID) Decision
	contact func(identity.ID) bool
	blocked func(identity.ID) bool
}

func (b funcBook) WatcherDecision(id identity.ID) Decision {
	if b.decide == nil {
		return Allow
	}
	return b.decide(id)
}

func (b funcBook) IsContact(id identity.ID) bool { return b.contact != nil && b.contact(id) }

func (b funcBook) SenderBlocked(id identity.ID) bool { return b.blocked != nil && b.blocked(id) }

// askBook asks the user about every watcher.
var askBook = funcBook{decide: func(identity.ID) Decision { return Ask }}
