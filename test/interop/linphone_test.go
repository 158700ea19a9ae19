package interop

import (
	"os"
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/linphonec"
)

// Against a real linphonec (liblinphone 5.1) registered with Kamailio.
// As configured by default (a basic chat room, plain text): Parley's
// message ends delivered from linphonec's own notification (a bare,
// deflated message/imdn+xml, Priority: non-urgent, naming the Call-ID);
// the next one goes as CPIM (linphonec showed it speaks IMDN), which
// linphonec takes and confirms by our imdn.Message-ID. With
// [proxy_0] cpim_in_basic_chat_rooms_enabled=1 linphonec writes CPIM
// with IMDN requests itself, and Parley's delivery notifications in CPIM
// are taken. Either way linphonec's messages reach Parley, and neither
// side refuses anything the other sends.
func TestLinphonec(t *testing.T) {
	linphonec.Require(t)
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	for _, tc := range []struct {
		name, proxyExtra string
		cpimIn           bool
	}{{"basic", "", false}, {"cpim", "cpim_in_basic_chat_rooms_enabled=1", true}} {
		extra := ""
		if tc.proxyExtra != "" {
			extra = "[proxy_default_values]\n" + tc.proxyExtra
		}
		t.Run(tc.name, func(t *testing.T) {
			extra := extra
			lin := linphonec.Start(t, linphonec.Options{User: "bob", Password: kamUsers["bob"], Domain: srv.Domain(),
				Proxy: registrarURI(srv, "tcp"), ProxyExtra: tc.proxyExtra, Extra: extra})
			if err := lin.WaitFor(waitLong, "registration", func(_, log string) bool {
				return strings.Contains(log, "to [LinphoneRegistrationOk]")
			}); err != nil {
				t.Fatalf("%v\n%s", err, lin.Log())
			}
			alice := startAccount(t, srv, "alice", kamUsers["alice"], "tcp", "--sip-trace")
			waitRegistered(t, alice)
			linphonecExchange(t, srv, alice, lin, tc.cpimIn)
			quitAll(t, alice)
		})
	}
}

func linphonecExchange(t *testing.T, srv *kamailio.Server, alice *clitest.CLI, lin *linphonec.Peer, cpimIn bool) {
	t.Helper()
	bobURI := "sip:bob@" + srv.Domain()
	for i, text := range []string{"hello linphone", "CPIM now?"} {
		id := sendQueued(t, alice, bobURI, text)
		alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "delivered"))
		if err := lin.WaitFor(waitLong, "message", func(out, _ string) bool {
			return strings.Contains(out, "Message received from sip:alice@"+srv.Domain()+": "+text+"\n")
		}); err != nil {
			t.Errorf("message %d: %v\n%s", i, err, lin.Output())
		}
	}
	lin.Send("chat sip:alice@" + srv.Domain() + " bonjour parley")
	msg := alice.WaitEvent(t, waitLong, clitest.Match("message", "text", "bonjour parley"))
	if msg.Str("cpim") != map[bool]string{true: "true", false: "false"}[cpimIn] || msg.Str("mismatch") != "" {
		t.Errorf("from linphonec: %v", msg)
	}
	if cpimIn {
		// Our delivery notification for it, taken: linphonec logs it.
		if err := lin.WaitFor(waitLong, "our notification", func(_, log string) bool {
			return strings.Contains(log, "to DeliveredToUser")
		}); err != nil {
			t.Error(err)
		}
	}
	// A second message from linphonec marks the end of what it sends.
	lin.Send("chat sip:alice@" + srv.Domain() + " au revoir")
	alice.WaitEvent(t, waitLong, clitest.Match("message", "text", "au revoir"))
	for _, m := range parseTrace(alice.Stderr()) {
		code := m.Code()
		switch {
		case m.Dir == "send" && code >= "400":
			t.Errorf("Parley answered %s to %s", m.Start, m.Get("CSeq"))
		case m.Dir == "recv" && code >= "400" && code != "401" && code != "407":
			t.Errorf("Parley's %s was answered %s", m.Get("CSeq"), m.Start)
		}
	}
	noErrors(t, alice)
	if t.Failed() || os.Getenv("PARLEY_SHOW_LINPHONEC") != "" {
		t.Logf("linphonec log:\n%s", lin.Log())
	}
}
