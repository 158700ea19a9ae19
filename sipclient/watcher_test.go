package sipclient

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestWatchPeer(t *testing.T) {
	for _, tp := range []string{"tcp", "udp"} {
		t.Run(tp, func(t *testing.T) {
			a, ra := newTestClient(t, "chebychev", tp)
			b, rb := newTestClient(t, "poisson", tp)
			ctx := context.Background()
			b.SetPresence(ctx, Presence{Status: StatusOffline})
			if err := a.Subscribe(ctx, b.AOR()); err != nil {
				t.Fatal(err)
			}
			ra.wait(t, "active", isSub(b.AOR(), SubActive))
			ra.wait(t, "closed", isPresence(b.AOR(), BasicClosed))
			rb.wait(t, "watcher", func(e Event) bool {
				w, ok := e.(WatcherChanged)
				return ok && w.URI == a.AOR() && w.State == WatcherActive
			})

			b.SetPresence(ctx, Presence{Status: StatusAway, Note: "at lunch <back soon>"})
			p := ra.wait(t, "open", isPresence(b.AOR(), BasicOpen)).(PresenceChanged)
			if p.Activity != "away" || p.Note != "at lunch <back soon>" || p.Contact == "" {
				t.Errorf("presence = %+v", p)
			}
			b.SetPresence(ctx, Presence{Status: StatusOnThePhone})
			ra.wait(t, "on the phone", func(e Event) bool {
				p, ok := e.(PresenceChanged)
				return ok && p.Activity == "on-the-phone"
			})

			if err := a.Unsubscribe(ctx, pid(b.AOR())); err != nil {
				t.Fatal(err)
			}
			rb.wait(t, "watcher gone", func(e Event) bool {
				w, ok := e.(WatcherChanged)
				return ok && w.URI == a.AOR() && w.State == WatcherTerminated
			})
		})
	}
}

// A presentity that goes away and comes back on the same address is
// watched again without any action: closed on its way out, unknown while
// it is gone, open when it is back.
func TestResubscribeAfterPeerRestart(t *testing.T) {
	a, ra := newTestClient(t, "chebychev", "tcp")
	b, _ := newTestClient(t, "poisson", "tcp")
	ctx := context.Background()
	addr := tcpAddr(b)
	a.Subscribe(ctx, b.AOR())
	ra.wait(t, "open", isPresence(b.AOR(), BasicOpen))
	aor := b.AOR()
	b.Close()
	ra.wait(t, "terminated", func(e Event) bool {
		s, ok := e.(SubscriptionChanged)
		return ok && s.State == SubTerminated && s.Reason == "deactivated"
	})
	ra.wait(t, "closed", isPresence(aor, BasicClosed))
	ra.wait(t, "failed", isSub(aor, SubFailed))
	ra.wait(t, "unknown", isPresence(aor, BasicUnknown))

	b2, err := New(Config{ListenAddr: addr, User: "poisson", Transport: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	go func() {
		for range b2.Events() {
		}
	}()
	opens := ra.count(isPresence(aor, BasicOpen))
	ra.wait(t, "open again", func(e Event) bool {
		return isPresence(aor, BasicOpen)(e) && ra.countLocked(isPresence(aor, BasicOpen)) > opens
	})
}

// With a 2 s subscription, the watcher refreshes before expiry: the
// presentity never times it out, and each refresh brings a NOTIFY.
func TestRefreshBeforeExpiry(t *testing.T) {
	a, ra := newTestClient(t, "chebychev", "udp")
	b, rb := newTestClient(t, "poisson", "udp", WithExpiresRange(1, 2))
	a.Subscribe(context.Background(), b.AOR())
	ra.wait(t, "active", isSub(b.AOR(), SubActive))
	deadline := time.Now().Add(15 * time.Second)
	for ra.count(isSub(b.AOR(), SubActive)) < 4 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := ra.count(isSub(b.AOR(), SubActive)); n < 4 {
		t.Fatalf("%d active NOTIFYs in 15 s, want at least 4 (refreshes)", n)
	}
	timeouts := rb.count(func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.State == WatcherTerminated
	})
	if timeouts != 0 {
		t.Errorf("presentity ended the subscription %d times:%s", timeouts, rb.dump())
	}
}

// A contact that cannot be reached is reported failed with a reason, is
// never shown as online, and is retried.
func TestSubscribeUnreachable(t *testing.T) {
	a, ra := newTestClient(t, "chebychev", "tcp")
	dead := "sip:nobody@127.0.0.1:9;transport=tcp"
	a.Subscribe(context.Background(), dead)
	ev := ra.wait(t, "failed", isSub("sip:nobody@127.0.0.1:9", SubFailed)).(SubscriptionChanged)
	if ev.Reason == "" || ev.RetryIn <= 0 {
		t.Errorf("failure event %+v", ev)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ra.count(isSub("sip:nobody@127.0.0.1:9", SubFailed)) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if ra.count(isSub("sip:nobody@127.0.0.1:9", SubFailed)) < 2 {
		t.Error("no retry after failure")
	}
	if ra.count(isPresence("sip:nobody@127.0.0.1:9", BasicOpen)) != 0 {
		t.Error("unreachable contact shown open")
	}
}

func TestNotifyUnknownDialog481(t *testing.T) {
	a, _ := newTestClient(t, "chebychev", "tcp")
	rc := dialRaw(t, tcpAddr(a))
	res := rc.exchange(rawRequest("NOTIFY", a.AOR(), []string{"Event: presence", "Subscription-State: active;expires=60"}, ""))
	if res.StatusCode != 481 {
		t.Fatalf("NOTIFY for no subscription: %d", res.StatusCode)
	}
	res = rc.exchange(rawRequest("NOTIFY", a.AOR(), []string{"Event: dialog", "Subscription-State: active"}, ""))
	if res.StatusCode != 489 || headerValue(res, "Allow-Events") != "presence" {
		t.Fatalf("NOTIFY for unknown event: %d\n%s", res.StatusCode, res)
	}
	res = rc.exchange(rawRequest("NOTIFY", a.AOR(), []string{"Event: presence"}, ""))
	if res.StatusCode != 400 {
		t.Fatalf("NOTIFY without Subscription-State: %d", res.StatusCode)
	}
}

// A malformed PIDF leaves the contact unknown with a diagnostic; it never
// keeps a stale "open".
func TestMalformedPIDFMakesUnknown(t *testing.T) {
	a, ra := newTestClient(t, "chebychev", "tcp")
	a.dialogIDs = func() (string, string) { return "cid-malformed", "tag-m" }
	rc, uri := fakePresentity(t, a)
	sub := rc.readRequest()
	notify := func(cseq int, body string) {
		rc.write(rawNotify(sub, cseq, "active;expires=600", "application/pidf+xml", body))
		if res := parse(t, rc.read()); res.(interface{ StartLine() string }).StartLine() != "SIP/2.0 200 OK" {
			t.Fatalf("NOTIFY answered %s", res)
		}
	}
	notify(1, `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="`+uri+`"><tuple id="a"><status><basic>open</basic></status></tuple></presence>`)
	ra.wait(t, "open", isPresence(uri, BasicOpen))
	notify(2, `<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple><status><basic>open</basic>`)
	ra.wait(t, "unknown", isPresence(uri, BasicUnknown))
	ra.wait(t, "diagnostic", func(e Event) bool {
		d, ok := e.(Diagnostic)
		return ok && d.URI == uri && d.What == "presence document"
	})
}

// Closing while an un-SUBSCRIBE is still unanswered ends cleanly: the
// path of a crash seen once in the suite. A peer answered a SUBSCRIBE after
// the user had unsubscribed, the core sent the Expires: 0 in the
// background, and the client closed before its answer; sipgo's Terminate
// closes the transaction before recording the error, so Do returned no
// answer and no error and the core took the nil answer. That race is too
// narrow to hit at will; roundTrip now turns it into ErrNoResponse.
func TestCloseWithUnansweredUnsubscribe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got, answer, unsub := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		raw, err := readSIP(r)
		if err != nil {
			return
		}
		m, _ := newParser().ParseSIP([]byte(raw))
		req, ok := m.(*sip.Request)
		if !ok {
			return
		}
		close(got)
		<-answer // the user has unsubscribed meanwhile
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.To().Params.Add("tag", "peer-tag")
		res.AppendHeader(sip.NewHeader("Expires", "600"))
		res.AppendHeader(sip.NewHeader("Contact", "<sip:peer@"+ln.Addr().String()+";transport=tcp>"))
		conn.Write([]byte(res.String()))
		if _, err := readSIP(r); err == nil {
			close(unsub) // the Expires: 0, never answered
		}
		readSIP(r) // hold the connection until the client goes
	}()
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "a", Transport: "tcp"}, WithRequestTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	peer := "sip:peer@" + ln.Addr().String() + ";transport=tcp"
	if err := c.Subscribe(ctx, peer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no SUBSCRIBE came")
	}
	if err := c.Unsubscribe(ctx, pid(peer)); err != nil {
		t.Fatal(err)
	}
	close(answer)
	select {
	case <-unsub:
	case <-time.After(10 * time.Second):
		t.Fatal("the core did not unsubscribe after the late 200")
	}
	c.Close()                          // the old code panicked here, in the unsubscribe's goroutine
	time.Sleep(100 * time.Millisecond) // let that goroutine see its transaction end
}
