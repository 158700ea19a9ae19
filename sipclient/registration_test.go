package sipclient

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// fakeServer is a SIP server on a UDP socket answering each request with
// what answer returns (nil: no answer).
func fakeServer(t *testing.T, answer func(*sip.Request) *sip.Response) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			msg, err := newParser().ParseSIP(buf[:n])
			req, ok := msg.(*sip.Request)
			if err != nil || !ok {
				continue
			}
			if res := answer(req); res != nil {
				pc.WriteTo([]byte(res.String()), from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// fakeRegistrar answers every REGISTER with 200, claiming (Via
// received/rport) it saw the client at 192.0.2.7:40000, as a registrar
// behind a NAT would. It returns the Contacts it was sent.
func fakeRegistrar(t *testing.T) (addr string, contacts chan string) {
	contacts = make(chan string, 16)
	addr = fakeServer(t, func(req *sip.Request) *sip.Response {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.Via().Params.Add("received", "192.0.2.7")
		res.Via().Params.Remove("rport")
		res.Via().Params.Add("rport", "40000")
		if ct := req.Contact(); ct != nil && req.Method == sip.REGISTER {
			contacts <- ct.Address.String()
			res.AppendHeader(ct.Clone())
		}
		return res
	})
	return addr, contacts
}

// Behind a NAT the registrar's received/rport name our public side: the
// client registers that address as its Contact (RFC 3581).
func TestRegisterAdvertisesPublicAddress(t *testing.T) {
	addr, contacts := fakeRegistrar(t)
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + addr, Password: "x"}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	record(c).wait(t, "registered", isReg(RegRegistered))
	next := func() string {
		select {
		case c := <-contacts:
			return c
		case <-time.After(3 * time.Second):
			return "(no REGISTER)"
		}
	}
	first, second := next(), next()
	if !strings.Contains(first, "127.0.0.1") {
		t.Errorf("first Contact %q, want the local address", first)
	}
	if !strings.Contains(second, "192.0.2.7:40000") {
		t.Errorf("second Contact %q, want the public 192.0.2.7:40000", second)
	}
}

// A busy server's 500 with Retry-After (Kamailio's "database is locked")
// is retried after that delay, not given up on.
func TestPublishRetriesAfterServerError(t *testing.T) {
	var publishes atomic.Int32
	addr := fakeServer(t, func(req *sip.Request) *sip.Response {
		if req.Method != sip.PUBLISH || publishes.Add(1) > 1 {
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			if req.Method == sip.PUBLISH {
				res.AppendHeader(sip.NewHeader("SIP-ETag", "e1"))
				res.AppendHeader(sip.NewHeader("Expires", "60"))
			}
			return res
		}
		res := sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil)
		res.AppendHeader(sip.NewHeader("Retry-After", "1"))
		return res
	})
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + addr, Password: "x"}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(2*time.Second),
		WithRetry(time.Minute, time.Hour)) // only Retry-After can make it come back this soon
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := record(c)
	failed := rec.wait(t, "failed", isPub(PubFailed)).(PublicationChanged)
	start := time.Now()
	rec.wait(t, "published", isPub(PubPublished))
	if failed.Code != 500 || time.Since(start) < 800*time.Millisecond {
		t.Errorf("failed %+v, published again after %v: want 500, then a retry after Retry-After's 1 s", failed, time.Since(start))
	}
}

// Closing while a PUBLISH hangs at a server that stopped answering does
// not wait out the request timeout: the exchange gives way at once.
func TestCloseDoesNotWaitForHungPublish(t *testing.T) {
	published := make(chan struct{}, 1)
	addr := fakeServer(t, func(req *sip.Request) *sip.Response {
		if req.Method == sip.PUBLISH {
			select {
			case published <- struct{}{}:
			default:
			}
			return nil // never answered
		}
		return sip.NewResponseFromRequest(req, 200, "OK", nil)
	})
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + addr, Password: "x"}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithRequestTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-published:
	case <-time.After(10 * time.Second):
		t.Fatal("no PUBLISH")
	}
	start := time.Now()
	c.Close()
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Close took %v behind a PUBLISH that waits up to 60 s", d)
	}
}

func TestDefaultUser(t *testing.T) {
	for aor, want := range map[string]string{"sip:alice@parley.test": "alice", "sip:parley.test": "parley"} {
		if got := defaultUser(&ServerConfig{AOR: aor}); got != want {
			t.Errorf("defaultUser(%s) = %q, want %q", aor, got, want)
		}
	}
	if got := defaultUser(nil); got != "parley" {
		t.Errorf("direct mode: %q", got)
	}
}

// testBinding is a binding of alice@parley.test asking for 600 s, driven
// through a fake seam that answers with answer.
func testBinding(t *testing.T, transport string, answer func(*sip.Request) *sip.Response) (*binding, *fakeSeam) {
	t.Helper()
	srv, err := parseServer(ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:127.0.0.1:5070",
		Password: "x", Transport: transport, Expires: 600})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSeam{answer: answer}
	o := defaultOptions()
	local := sip.Addr{IP: net.ParseIP("127.0.0.1"), Port: 5062, Hostname: "127.0.0.1"}
	return newBinding(f, srv, "Alice", local, &o), f
}

// granting answers a REGISTER with 200, echoing its Contact.
func granting(req *sip.Request) *sip.Response {
	res := reply(req, 200, "OK")
	if ct := req.Contact(); ct != nil {
		res.AppendHeader(ct.Clone())
	}
	return res
}

// A 423 is asked again at once, in the same Call-ID with the next CSeq,
// for the server's Min-Expires; the refresh comes at 80% of the grant.
func TestBindingAsksMinExpiresAfter423(t *testing.T) {
	b, f := testBinding(t, "udp", func(req *sip.Request) *sip.Response {
		if headerValue(req, "Expires") == "600" {
			return reply(req, 423, "Interval Too Brief", "Min-Expires", "1800")
		}
		return granting(req)
	})
	var agains []bool
	b.onRegistered = func(again bool) { agains = append(agains, again) }
	next := b.register(context.Background())
	sent := f.requests()
	if len(sent) != 2 {
		t.Fatalf("%d REGISTERs, want 2", len(sent))
	}
	first, second := sent[0], sent[1]
	if second.CallID().Value() != first.CallID().Value() || second.CSeq().SeqNo != first.CSeq().SeqNo+1 {
		t.Errorf("second REGISTER %s/%d after %s/%d: want the same Call-ID, the next CSeq",
			second.CallID().Value(), second.CSeq().SeqNo, first.CallID().Value(), first.CSeq().SeqNo)
	}
	if v, _ := second.Contact().Params.Get("expires"); v != "1800" || headerValue(second, "Expires") != "1800" {
		t.Errorf("second REGISTER asks for %q (Contact) and %q (Expires), want 1800", v, headerValue(second, "Expires"))
	}
	if next != refreshDelay(1800) || len(agains) != 1 || agains[0] {
		t.Errorf("next REGISTER in %v, onRegistered %v: want %v, one first registration", next, agains, refreshDelay(1800))
	}
	if ev, ok := lastEvent(t, f).(RegistrationChanged); !ok || ev.State != RegRegistered || ev.Expires != 1800 {
		t.Errorf("last event %+v, want registered for 1800 s", ev)
	}
}

// Over UDP, a 2xx whose Via says received/rport at another address makes
// the binding register that public address at once.
func TestBindingRegistersPublicAddress(t *testing.T) {
	b, f := testBinding(t, "udp", func(req *sip.Request) *sip.Response {
		res := granting(req)
		via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
			Host: "127.0.0.1", Port: 5062, Params: sip.NewParams()}
		via.Params.Add("received", "192.0.2.7")
		via.Params.Add("rport", "40000")
		res.AppendHeader(via)
		return res
	})
	b.register(context.Background())
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d REGISTERs, want 2: the local address, then the public one", n)
	}
	if a := b.contactAddr(); a.IP.String() != "192.0.2.7" || a.Port != 40000 {
		t.Errorf("Contact address %v, want 192.0.2.7:40000", a)
	}
}

// A busy registrar's Retry-After sets the next attempt, and the user is
// told the code and when.
func TestBindingFailureHonoursRetryAfter(t *testing.T) {
	b, f := testBinding(t, "tcp", func(req *sip.Request) *sip.Response {
		return reply(req, 503, "Service Unavailable", "Retry-After", "7")
	})
	next := b.register(context.Background())
	ev, _ := lastEvent(t, f).(RegistrationChanged)
	if next != 7*time.Second || ev.State != RegFailed || ev.Code != 503 || ev.RetryIn != next {
		t.Errorf("next in %v, event %+v: want failed 503, again in 7 s", next, ev)
	}
}

// A stream transport whose connection is gone: the binding counts as
// lost, digest sessions are forgotten, and the user is told.
func TestBindingNoticesLostConnection(t *testing.T) {
	b, f := testBinding(t, "tcp", granting)
	ctx := context.Background()
	b.register(ctx)
	last := time.Now()
	if b.connectionAlive(ctx, &last) {
		t.Fatal("alive without a connection")
	}
	ev, _ := lastEvent(t, f).(RegistrationChanged)
	if f.forgot != 1 || ev.State != RegRegistering || ev.Reason == "" {
		t.Errorf("digest sessions forgotten %d times, event %+v: want once, registering again with a reason", f.forgot, ev)
	}
}

// stop removes our binding (Expires: 0) if there is one, and only then.
func TestBindingStopUnregisters(t *testing.T) {
	b, f := testBinding(t, "tcp", granting)
	ctx := context.Background()
	b.stop(ctx)
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests from a binding never registered", n)
	}
	b.register(ctx)
	b.stop(ctx)
	sent := f.requests()
	last := sent[len(sent)-1]
	if v, _ := last.Contact().Params.Get("expires"); len(sent) != 2 || v != "0" || headerValue(last, "Expires") != "0" {
		t.Errorf("%d REGISTERs, the last with Contact expires %q and Expires %q: want 2, the last for 0", len(sent), v, headerValue(last, "Expires"))
	}
	if ev, _ := lastEvent(t, f).(RegistrationChanged); ev.State != RegUnregistered || ev.Reason != "" {
		t.Errorf("last event %+v, want unregistered", ev)
	}
}
