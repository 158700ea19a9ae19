package sipclient

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// fakeRegistrar answers every REGISTER on a UDP socket with 200, claiming
// (Via received/rport) it saw the client at 192.0.2.7:40000, as a
// registrar behind a NAT would. It returns the Contacts it was sent.
func fakeRegistrar(t *testing.T) (addr string, contacts chan string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	contacts = make(chan string, 16)
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
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			res.Via().Params.Add("received", "192.0.2.7")
			res.Via().Params.Remove("rport")
			res.Via().Params.Add("rport", "40000")
			if ct := req.Contact(); ct != nil {
				contacts <- ct.Address.String()
				res.AppendHeader(ct.Clone())
			}
			pc.WriteTo([]byte(res.String()), from)
		}
	}()
	return pc.LocalAddr().String(), contacts
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
