package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// No flag may take a password: it would show in ps and shell history.
func TestNoPasswordFlag(t *testing.T) {
	f := &flags{set: map[string]bool{}}
	f.flagSet().VisitAll(func(fl *flag.Flag) {
		n := strings.ToLower(fl.Name)
		if (strings.Contains(n, "pass") || strings.Contains(n, "secret") || strings.Contains(n, "pw")) && n != "password-env" {
			t.Errorf("flag --%s looks like it takes a password", fl.Name)
		}
	})
}

func TestServerFlagCombinations(t *testing.T) {
	cases := []struct {
		args []string
		want string // "" for no error
	}{
		{[]string{"--aor", "sip:alice@example.test", "--password-env", "PW"}, ""},
		{[]string{"--account", "work"}, ""},
		{[]string{"--account", "work", "--password-env", "PW", "--register-expires", "120"}, ""},
		{[]string{"--aor", "sip:alice@example.test"}, "--aor needs --password-env"},
		{[]string{"--account", "work", "--aor", "sip:alice@example.test"}, "not both"},
		{[]string{"--account", "work", "--registrar", "sip:127.0.0.1"}, "account's settings"},
		{[]string{"--registrar", "sip:127.0.0.1"}, "--registrar is for server mode"},
		{[]string{"--ca-file", "ca.pem"}, "--ca-file is for server mode"},
		{[]string{"--aor", "sip:example.test", "--password-env", "PW"}, "has no user"},
		{[]string{"--aor", "sip:alice@example.test", "--password-env", "PW", "--register-expires", "0"}, "positive number"},
		{[]string{"--aor", "sip:alice@example.test", "--password-env", ""}, "name of an environment variable"},
		{[]string{"stray"}, "commands are read from stdin"},
	}
	for _, tc := range cases {
		_, err := parseFlags(tc.args)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
}

// fakeOutside serves env variables, a config dir and an in-memory vault.
func fakeOutside(env map[string]string, dir string, pw account.PasswordStore) outside {
	return outside{
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		configDir: func() (string, error) { return dir, nil },
		passwords: func() account.PasswordStore { return pw },
	}
}

func resolve(t *testing.T, o outside, args ...string) (*flags, error) {
	t.Helper()
	f, err := parseFlags(args)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return f, f.resolveServer(context.Background(), o, quiet)
}

func TestResolveFromCommandLine(t *testing.T) {
	o := fakeOutside(map[string]string{"ALICE_PW": "s3cret"}, t.TempDir(), account.NewSessionVault())
	f, err := resolve(t, o, "--aor", "sip:alice@example.test", "--registrar", "sip:127.0.0.1:5070;transport=tcp",
		"--password-env", "ALICE_PW", "--register-expires", "120")
	if err != nil {
		t.Fatal(err)
	}
	sc := f.server
	if sc.AOR != "sip:alice@example.test" || sc.Registrar != "sip:127.0.0.1:5070;transport=tcp" || sc.Password != "s3cret" ||
		sc.Expires != 120 || sc.AuthUser != "" || sc.SkipVerify || sc.RootCAs != nil {
		t.Errorf("server config %+v", *sc)
	}
	if f.user != "alice" {
		t.Errorf("user %q, want the AOR's user", f.user)
	}
	f, err = resolve(t, o, "--user", "desk", "--aor", "sip:alice@example.test", "--auth-user", "a1", "--password-env", "ALICE_PW")
	if err != nil || f.user != "desk" || f.server.AuthUser != "a1" {
		t.Errorf("user %q, auth user %q, %v: want desk and a1", f.user, f.server.AuthUser, err)
	}
	if _, err = resolve(t, o, "--aor", "sip:alice@example.test", "--password-env", "UNSET_PW"); err == nil ||
		!strings.Contains(err.Error(), "UNSET_PW is not set") {
		t.Errorf("unset variable: %v", err)
	}
	_, err = resolve(t, o, "--aor", "sip:alice@example.test", "--password-env", "ALICE_PW", "--ca-file", filepath.Join(t.TempDir(), "x.pem"))
	if err == nil || !strings.Contains(err.Error(), "--ca-file") {
		t.Errorf("missing CA file: %v", err)
	}
}

func TestResolveFromAccount(t *testing.T) {
	dir := t.TempDir()
	work := account.NewAccount("work", "sip:alice@example.test")
	work.DisplayName, work.AuthUsername, work.Transport, work.RegisterInterval = "Alice", "a1", account.TransportTLS, 600
	work.Registrar, work.OutboundProxy = "sip:example.test", "sip:proxy.example.test;transport=tls"
	lab := account.NewAccount("lab", "sip:bob@lab.test")
	lab.VerifyTLS = false
	if err := account.SaveAccounts(dir, []account.Account{work, lab}); err != nil {
		t.Fatal(err)
	}
	vault := account.NewSessionVault()
	if err := vault.Set(context.Background(), "work", "from-keyring"); err != nil {
		t.Fatal(err)
	}
	o := fakeOutside(map[string]string{"PW": "from-env"}, dir, vault)

	f, err := resolve(t, o, "--account", "work")
	if err != nil {
		t.Fatal(err)
	}
	want := sipclient.ServerConfig{AOR: "sip:alice@example.test", Registrar: "sip:example.test",
		OutboundProxy: "sip:proxy.example.test;transport=tls", AuthUser: "a1", Password: "from-keyring", Transport: "tls", Expires: 600,
		InstanceID: work.InstanceID} // the install's own (SIP Outbound), made with the account
	if work.InstanceID == "" || *f.server != want || f.user != "alice" || f.name != "Alice" {
		t.Errorf("server config %+v, user %q, name %q; want %+v", *f.server, f.user, f.name, want)
	}
	f, err = resolve(t, o, "--account", "sip:alice@example.test", "--password-env", "PW", "--register-expires", "90")
	if err != nil || f.server.Password != "from-env" || f.server.Expires != 90 {
		t.Errorf("by AOR with --password-env: %+v %v", f.server, err)
	}
	f, err = resolve(t, o, "--account", "lab", "--password-env", "PW")
	if err != nil || !f.server.SkipVerify {
		t.Errorf("account without TLS checks: %+v %v", f.server, err)
	}
	if _, err = resolve(t, o, "--account", "lab"); !errors.Is(err, account.ErrNotFound) || !strings.Contains(err.Error(), "--password-env") {
		t.Errorf("no saved password: %v", err)
	}
	if _, err = resolve(t, o, "--account", "home"); err == nil || !strings.Contains(err.Error(), "configured: work, lab") {
		t.Errorf("unknown account: %v", err)
	}
}

func TestServerEventJSON(t *testing.T) {
	cases := []struct {
		ev   sipclient.Event
		want obj
	}{
		{sipclient.RegistrationChanged{AOR: "sip:a@x", State: sipclient.RegFailed, Code: 401, Reason: "wrong password",
			RetryIn: time.Minute}, obj{"event": "registration", "aor": "sip:a@x", "state": "failed", "code": 401,
			"reason": "wrong password", "expires": 0, "retry_in_ms": int64(60000)}},
		{sipclient.PublicationChanged{AOR: "sip:a@x", State: sipclient.PubPublished, Code: 200, Expires: 3600},
			obj{"event": "publication", "aor": "sip:a@x", "state": "published", "code": 200, "reason": "", "expires": 3600}},
		{sipclient.MessageStatus{ID: 3, Peer: pid("sip:c@X:5060"), To: "sip:c@X:5060", Status: sipclient.MsgStored, Code: 202, Reason: "Accepted"},
			obj{"event": "message_status", "peer": pid("sip:c@x"), "to": "sip:c@X:5060", "id": "3", "status": "stored", "code": 202, "reason": "Accepted"}},
	}
	for _, tc := range cases {
		got, _ := (&emitter{}).eventJSON(tc.ev).(obj)
		if len(got) != len(tc.want) {
			t.Errorf("%T: %v, want %v", tc.ev, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%T: %s = %#v, want %#v", tc.ev, k, got[k], v)
			}
		}
	}
}
