package interop

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/internal/kamailio"
)

// Server mode: parley-cli processes registered with a real Kamailio on
// loopback, the password handed over in an environment variable.

var kamUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret", "carol": "carol-secret"}

// passwordVar is the variable every test CLI reads its password from.
const passwordVar = "PARLEY_TEST_PASSWORD"

// unredactedResponse matches a digest response value as it would appear
// unredacted: 32 (MD5) or more hex digits after response=.
var unredactedResponse = regexp.MustCompile(`(?i)response\s*=\s*"?[0-9a-f]{32}`)

// registrarURI is srv's address for transport, as --registrar takes it.
func registrarURI(srv *kamailio.Server, transport string) string {
	addr := srv.UDPAddr()
	switch transport {
	case "tcp":
		addr = srv.TCPAddr()
	case "tls":
		addr = srv.TLSAddr()
	}
	return "sip:" + addr + ";transport=" + transport
}

// accountArgs are the server-mode flags for user at srv over transport.
func accountArgs(srv *kamailio.Server, user, transport string) []string {
	return []string{"--aor", "sip:" + user + "@" + srv.Domain(), "--registrar", registrarURI(srv, transport),
		"--password-env", passwordVar, "--register-expires", "300", "--retry-backoff", "300ms"}
}

// startAccount starts parley-cli as user at srv over transport with the
// given password; it does not wait for the registration.
func startAccount(t *testing.T, srv *kamailio.Server, user, password, transport string, extra ...string) *clitest.CLI {
	t.Helper()
	args := append([]string{"--user", user}, accountArgs(srv, user, transport)...)
	return clitest.StartEnv(t, []string{passwordVar + "=" + password}, append(args, extra...)...)
}

// waitRegistered waits for c's registration and returns the event.
func waitRegistered(t *testing.T, c *clitest.CLI) clitest.Event {
	t.Helper()
	return c.WaitEvent(t, waitLong, clitest.Match("registration", "state", "registered"))
}

// (1) A good password registers (and publishes); a wrong one is reported
// in words and the process carries on.
func TestServerRegister(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice := startAccount(t, srv, "alice", kamUsers["alice"], "tcp")
	reg := waitRegistered(t, alice)
	if reg.Str("aor") != "sip:alice@parley.test" || reg.Int("code") != 200 || reg.Int("expires") != 300 {
		t.Errorf("registration %v: want sip:alice@parley.test, 200, 300 s", reg)
	}
	if alice.AOR() != "sip:alice@parley.test" {
		t.Errorf("ready announced %q, want the account's AOR", alice.AOR())
	}
	alice.WaitEvent(t, waitLong, clitest.Match("publication", "aor", "sip:alice@parley.test", "state", "published"))

	bob := startAccount(t, srv, "bob", "not-bobs-password", "udp")
	failed := bob.WaitEvent(t, waitLong, clitest.Match("registration", "state", "failed"))
	if !strings.Contains(failed.Str("reason"), "wrong password") || failed.Int("code") != 401 {
		t.Errorf("failed registration %v: want code 401 and a reason saying wrong password", failed)
	}
	if n := countEvents(bob, clitest.Match("registration", "state", "registered")); n != 0 {
		t.Errorf("bob registered %d times with a wrong password", n)
	}
	// Still alive and answering commands.
	mark := bob.Len()
	bob.Send("frobnicate")
	bob.WaitEventFrom(t, mark, waitLong, clitest.Match("error", "what", "command"))
	quitAll(t, alice, bob)
	alice.WaitEvent(t, waitLong, clitest.Match("registration", "state", "unregistered"))
	noErrors(t, alice)
}

// --ca-file makes the test CA trusted for TLS; without it the server's
// certificate is refused, and the user is told.
func TestServerRegisterTLS(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice := startAccount(t, srv, "alice", kamUsers["alice"], "tls", "--ca-file", srv.CAFile())
	waitRegistered(t, alice)
	bob := startAccount(t, srv, "bob", kamUsers["bob"], "tls")
	failed := bob.WaitEvent(t, waitLong, clitest.Match("registration", "state", "failed"))
	if !strings.Contains(failed.Str("reason"), "certificate") {
		t.Errorf("untrusted server: %v, want a reason about the certificate", failed)
	}
	quitAll(t, alice, bob)
}

// (2) Alice (TCP) and Bob (UDP) see each other's status through the
// server's presence service and exchange MESSAGEs through it.
func TestServerPresenceAndMessages(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice := startAccount(t, srv, "alice", kamUsers["alice"], "tcp")
	waitRegistered(t, alice)
	alice.WaitEvent(t, waitLong, clitest.Match("publication", "state", "published"))
	const aliceURI, bobURI = "sip:alice@parley.test", "sip:bob@parley.test"
	bob := startAccount(t, srv, "bob", kamUsers["bob"], "udp", "--contact", aliceURI)
	waitRegistered(t, bob)
	bob.WaitEvent(t, waitLong, clitest.Match("subscription", "uri", aliceURI, "state", "active"))
	bob.WaitEvent(t, waitLong, clitest.Match("presence", "uri", aliceURI, "basic", "open"))

	mark := bob.Len()
	alice.Send("status away at lunch")
	away := bob.WaitEventFrom(t, mark, waitLong, clitest.Match("presence", "uri", aliceURI, "activity", "away"))
	if away.Str("note") != "at lunch" || away.Str("basic") != "open" {
		t.Errorf("bob sees %v: want basic open, note %q", away, "at lunch")
	}

	serverExchange(t, alice, bob, bobURI, aliceURI, "hello via the server")
	serverExchange(t, bob, alice, aliceURI, bobURI, "hi back")
	quitAll(t, alice, bob)
	noErrors(t, alice)
	noErrors(t, bob)
}

// serverExchange sends text from one CLI to toURI through the server and
// waits until it is answered 200 and received, from fromURI.
func serverExchange(t *testing.T, from, to *clitest.CLI, toURI, fromURI, text string) {
	t.Helper()
	mark := to.Len()
	id := sendQueued(t, from, toURI, text)
	st := from.WaitEvent(t, waitLong, func(e clitest.Event) bool {
		return e.Is("message_status", "id", id) && e.Str("status") != "failed"
	})
	if st.Str("status") != "sent" || st.Int("code") != 200 {
		t.Errorf("%s -> %s: %v, want sent 200", fromURI, toURI, st)
	}
	m := to.WaitEventFrom(t, mark, waitLong, clitest.Match("message", "text", text))
	if m.Str("from") != fromURI {
		t.Errorf("message %v: want from %s", m, fromURI)
	}
}

// (3) A MESSAGE to a user who is not registered is stored by the server
// (202, "stored") and delivered when her parley-cli registers.
func TestServerOfflineMessage(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	alice := startAccount(t, srv, "alice", kamUsers["alice"], "udp")
	waitRegistered(t, alice)
	id := sendQueued(t, alice, "sip:carol@parley.test", "read this later")
	st := alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id))
	if st.Str("status") != "stored" || st.Int("code") != 202 {
		t.Fatalf("to offline carol: %v, want status stored, code 202", st)
	}
	carol := startAccount(t, srv, "carol", kamUsers["carol"], "tcp")
	m := carol.WaitEvent(t, waitLong, clitest.Match("message", "text", "read this later"))
	if m.Str("from") != "sip:alice@parley.test" {
		t.Errorf("carol got %v, want it from sip:alice@parley.test", m)
	}
	quitAll(t, alice, carol)
}

// (4) With --sip-trace and debug logging the REGISTER and MESSAGE
// challenges are answered on the wire, yet neither the password nor a
// digest response shows in anything parley-cli prints. Without --user
// the contact carries the AOR's user.
func TestServerTraceRedactsCredentials(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers})
	bob := startAccount(t, srv, "bob", kamUsers["bob"], "udp")
	waitRegistered(t, bob)
	alice := clitest.StartEnv(t, []string{passwordVar + "=" + kamUsers["alice"]},
		append(accountArgs(srv, "alice", "tcp"), "--sip-trace", "-v")...)
	waitRegistered(t, alice)
	serverExchange(t, alice, bob, "sip:bob@parley.test", "sip:alice@parley.test", "is this traced?")
	quitAll(t, alice, bob)

	stderr := alice.Stderr()
	if !strings.Contains(stderr, "Authorization: Digest") || !strings.Contains(stderr, `response="<redacted>"`) {
		t.Fatalf("the trace shows no (redacted) digest answer; the check below would prove nothing:\n%s", stderr)
	}
	var stdout strings.Builder
	for _, ev := range alice.Events() {
		stdout.WriteString(ev.String() + "\n")
	}
	for name, text := range map[string]string{"stderr": stderr, "stdout": stdout.String()} {
		if strings.Contains(text, kamUsers["alice"]) {
			t.Errorf("alice's %s shows her password", name)
		}
		if m := unredactedResponse.FindString(text); m != "" {
			t.Errorf("alice's %s shows a digest response: %s", name, m)
		}
	}
	checkRegisterContact(t, stderr, "sip:alice@")
}

// checkRegisterContact checks that the traced REGISTERs bind a contact
// starting with prefix.
func checkRegisterContact(t *testing.T, stderr, prefix string) {
	t.Helper()
	n := 0
	for _, m := range parseTrace(stderr) {
		if m.Dir != "send" || !m.IsRequest("REGISTER") {
			continue
		}
		n++
		if ct := strings.Trim(m.Get("Contact"), "<>"); !strings.HasPrefix(ct, prefix) {
			t.Errorf("REGISTER Contact %q, want %s...", m.Get("Contact"), prefix)
		}
	}
	if n == 0 {
		t.Error("no REGISTER in the trace")
	}
}

// (5) Server-mode mistakes end parley-cli at once, saying what is wrong.
func TestServerFlagErrors(t *testing.T) {
	cfg, keyed := t.TempDir(), t.TempDir()
	acc := account.NewAccount("work", "sip:alice@parley.test")
	if err := account.SaveAccounts(keyed, []account.Account{acc}); err != nil {
		t.Fatal(err)
	}
	noBus := "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(keyed, "no-bus")
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"password variable unset", nil,
			[]string{"--aor", "sip:alice@parley.test", "--password-env", "PARLEY_TEST_NO_SUCH_VARIABLE"}, 1,
			"environment variable PARLEY_TEST_NO_SUCH_VARIABLE is not set"},
		{"password variable empty", []string{"PARLEY_TEST_EMPTY="},
			[]string{"--aor", "sip:alice@parley.test", "--password-env", "PARLEY_TEST_EMPTY"}, 1, "is empty"},
		{"no password source", nil, []string{"--aor", "sip:alice@parley.test"}, 2, "--aor needs --password-env"},
		{"unknown account", []string{"PARLEY_CONFIG_DIR=" + cfg}, []string{"--account", "nobody"}, 1,
			"no accounts are configured"},
		{"keyring unavailable", []string{"PARLEY_CONFIG_DIR=" + keyed, noBus}, []string{"--account", "work"}, 1,
			"install and start gnome-keyring"},
		{"bad CA file", []string{"PW=x"},
			[]string{"--aor", "sip:alice@parley.test", "--password-env", "PW", "--ca-file", cfg + "/none.pem"}, 1, "--ca-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := clitest.Run(t, tc.env, tc.args...)
			if r.Code != tc.code || !strings.Contains(r.Stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit %d and %q", r.Code, r.Stderr, tc.code, tc.want)
			}
			for _, ev := range r.Events {
				if ev.Name() == "ready" {
					t.Errorf("started anyway: %v", ev)
				}
			}
		})
	}
}
