package sipclient

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// Parley as presentity (Poisson): the seed SUBSCRIBE, byte for byte over
// TCP, gets a 202 that keeps the folded Via's host and branch and adds
// received=; the first NOTIFY comes back over the same connection, in the
// dialog, with a PIDF body in the format the SUBSCRIBE accepts.
func TestSeedSubscribeAnswered(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	rc.write(seed(t, "01-subscribe.sip"))

	res := parse(t, rc.read()).(*sip.Response)
	if res.StatusCode != 202 {
		t.Fatalf("SUBSCRIBE answered %d %s", res.StatusCode, res.Reason)
	}
	via := res.Via()
	branch, _ := via.Params.Get("branch")
	received, _ := via.Params.Get("received")
	if via.Host != "lecturehall21.academy.ru" || via.Port != 5060 || branch != "z9hG4bK348471123" || received != "127.0.0.1" {
		t.Errorf("202 Via = %s", via.Value())
	}
	toTag := tagOf(res.To().Params)
	if toTag == "" || headerValue(res, "Expires") != "3600" || tagOf(res.From().Params) != "21171" {
		t.Errorf("202 dialog headers wrong:\n%s", res)
	}

	notify := parse(t, rc.read()).(*sip.Request)
	if notify.Method != sip.NOTIFY || notify.CallID().Value() != "58dkfj34924lk34452k592520" ||
		tagOf(notify.To().Params) != "21171" || tagOf(notify.From().Params) != toTag {
		t.Fatalf("first NOTIFY not in the dialog:\n%s", notify)
	}
	if notify.Recipient.User != "pafnuty" || headerValue(notify, "Event") != "presence" ||
		!strings.HasPrefix(headerValue(notify, "Subscription-State"), "active;expires=") {
		t.Errorf("NOTIFY headers:\n%s", notify)
	}
	// The seed SUBSCRIBE has no Accept: RFC 3856 says PIDF.
	if mediaType(notify) != "application/pidf+xml" || !strings.Contains(string(notify.Body()), "<basic>open</basic>") {
		t.Errorf("NOTIFY body:\n%s", notify)
	}
	rec.wait(t, "watcher", func(e Event) bool {
		w, ok := e.(WatcherChanged)
		return ok && w.URI == "sip:chebychev@academy.ru" && w.State == WatcherActive
	})
}

// Parley as watcher (Chebychev): the seed NOTIFYs, byte for byte, become
// presence closed then open with the contact URI. The first NOTIFY arrives
// before the 202, as RFC 6665 allows.
func TestSeedNotifiesBecomePresence(t *testing.T) {
	c, rec := newTestClient(t, "chebychev", "tcp")
	c.dialogIDs = func() (string, string) { return "58dkfj34924lk34452k592520", "21171" }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	uri := "sip:poisson@" + ln.Addr().String() + ";transport=tcp"
	if err := c.Subscribe(context.Background(), uri); err != nil {
		t.Fatal(err)
	}
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	rc := &rawConn{t: t, conn: conn, r: newReader(conn)}
	sub := parse(t, rc.read()).(*sip.Request)
	if sub.Method != sip.SUBSCRIBE || headerValue(sub, "Event") != "presence" ||
		!strings.Contains(headerValue(sub, "Accept"), "application/cpim-pidf+xml") {
		t.Fatalf("SUBSCRIBE:\n%s", sub)
	}

	rc.write(seed(t, "03-notify-closed.sip"))
	ok := parse(t, rc.read()).(*sip.Response)
	checkSeedOK(t, ok, "z9hG4bK4321", 1026)

	// The seed 202, with the branch of the SUBSCRIBE we actually sent.
	branch, _ := sub.Via().Params.Get("branch")
	rc.write([]byte(strings.Replace(string(seed(t, "02-202-accepted.sip")), "z9hG4bK348471123", branch, 1)))
	key := sipURIKey(ln.Addr().String())
	rec.wait(t, "closed", isPresence(key, BasicClosed))

	rc.write(seed(t, "05-notify-open.sip"))
	checkSeedOK(t, parse(t, rc.read()).(*sip.Response), "z9hG4bK334241", 1027)
	p := rec.wait(t, "open", isPresence(key, BasicOpen)).(PresenceChanged)
	if p.Contact != "sip:s.possion@dist.probability.org;transport=tcp" {
		t.Errorf("contact = %q", p.Contact)
	}
	s := rec.wait(t, "active 1800", func(e Event) bool {
		s, ok := e.(SubscriptionChanged)
		return ok && s.State == SubActive && s.Expires == 1800
	}).(SubscriptionChanged)
	if s.URI != key {
		t.Errorf("subscription event for %q", s.URI)
	}
}

func checkSeedOK(t *testing.T, res *sip.Response, branch string, cseq uint32) {
	t.Helper()
	b, _ := res.Via().Params.Get("branch")
	received, _ := res.Via().Params.Get("received")
	if res.StatusCode != 200 || b != branch || res.Via().Host != "dist.probablilty.org" ||
		received != "127.0.0.1" || res.CSeq().SeqNo != cseq {
		t.Errorf("answer to NOTIFY %d:\n%s", cseq, res)
	}
}

func sipURIKey(hostport string) string { return "sip:poisson@" + hostport }

// The seed MESSAGEs, byte for byte, are answered 200 with their branch and
// show up as message events.
func TestSeedMessagesReceived(t *testing.T) {
	c, rec := newTestClient(t, "poisson", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	for _, f := range []struct{ file, branch, from, text string }{
		{"07-message.sip", "z9hG4bK3gtr2", "sip:chebychev@academy.ru", "Hi There!"},
		{"09-message-reply.sip", "z9hG4bK4526245", "sip:s.possion@dist.probability.org", "Well, hello there to you, too!"},
	} {
		rc.write(seed(t, f.file))
		res := parse(t, rc.read()).(*sip.Response)
		b, _ := res.Via().Params.Get("branch")
		if res.StatusCode != 200 || b != f.branch || tagOf(res.To().Params) == "" {
			t.Errorf("%s answered:\n%s", f.file, res)
		}
		m := rec.wait(t, "message", func(e Event) bool {
			m, ok := e.(MessageReceived)
			return ok && m.Text == f.text
		}).(MessageReceived)
		if m.From != f.from || m.ContentType != "text/plain" {
			t.Errorf("%s: event %+v", f.file, m)
		}
	}
}
