package sipclient

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// A bug in a handler costs the request a 500, not the process: the next
// request on the same connection is answered as usual.
func TestGuardAnswers500OnPanic(t *testing.T) {
	c, _ := newTestClient(t, "bob", "TCP")
	c.srv.OnRequest(sip.INFO, c.guard(func(*sip.Request, sip.ServerTransaction) { panic("a bug") }))
	rc := dialRaw(t, tcpAddr(c))
	if res := rc.exchange(rawRequest("INFO", "sip:bob@127.0.0.1", nil, "")); res.StatusCode != 500 {
		t.Fatalf("INFO whose handler panics answered %d %s, want 500", res.StatusCode, res.Reason)
	}
	if res := rc.exchange(rawRequest("OPTIONS", "sip:bob@127.0.0.1", nil, "")); res.StatusCode != 200 {
		t.Errorf("OPTIONS after the panic answered %d %s, want 200", res.StatusCode, res.Reason)
	}
}
