package sipclient

import (
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
