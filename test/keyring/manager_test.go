package keyring

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/keyringtest"
	"github.com/parley-im/parley/sipclient"
)

// TestManagerRealKeyring: an account saved through account.Manager keeps
// its password in a real gnome-keyring only; a new Manager (the next run
// of the app) reads it from there at startup and signs in; removing the
// account deletes it from the keyring. Like TestRealKeyring it re-runs
// itself in a private D-Bus session with a fresh, unlocked keyring.
func TestManagerRealKeyring(t *testing.T) {
	if !keyringtest.InSession() {
		kamailio.Require(t)
		keyringtest.RunInSession(t, "TestManagerRealKeyring")
		return
	}
	root := keyringtest.RequireSandbox(t)
	password := "pw-" + randomHex(t, 12)
	id := "work-" + randomHex(t, 4)
	srv := kamailio.Start(t, kamailio.Options{Users: map[string]string{"alice": password}})
	dir, err := account.ConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	a := account.NewAccount(id, "sip:alice@"+srv.Domain())
	a.Registrar, a.Transport, a.RegisterInterval = "sip:"+srv.TCPAddr()+";transport=tcp", account.TransportTCP, 300

	m, events := startManager(t, dir, nil)
	if err := m.SaveAccount(context.Background(), a, password, false); err != nil {
		t.Fatal(err)
	}
	waitRegistration(t, events, a.AOR, sipclient.RegRegistered)
	if got := keyringtest.LookupSecret(t, id); got != password {
		t.Fatalf("secret-tool sees %q under service parley, user %s", got, id)
	}
	m.Close()

	saved, err := account.LoadAccounts(dir)
	if err != nil || len(saved) != 1 {
		t.Fatalf("accounts file: %v, %v", saved, err)
	}
	m, events = startManager(t, dir, saved) // the next run: password from the keyring
	waitRegistration(t, events, a.AOR, sipclient.RegRegistered)
	assertNotInFiles(t, root, password)

	if err := m.RemoveAccount(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	waitRegistration(t, events, a.AOR, sipclient.RegUnregistered)
	if _, err := account.NewVault().Get(context.Background(), id); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the keyring still answers for %s: %v", id, err)
	}
}

func startManager(t *testing.T, dir string, accounts []account.Account) (*account.Manager, <-chan sipclient.Event) {
	t.Helper()
	m, err := account.NewManager(account.ManagerConfig{
		Direct: sipclient.Config{ListenAddr: "127.0.0.1:0", User: "me"},
		Dir:    dir, Accounts: accounts, Passwords: account.NewVault(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, m.Events()
}

// waitRegistration reads events until aor reaches state; a failure on the
// way fails the test with its reason.
func waitRegistration(t *testing.T, events <-chan sipclient.Event, aor string, state sipclient.RegistrationState) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("events closed before %s was %s", aor, state)
			}
			r, isReg := e.(sipclient.RegistrationChanged)
			if !isReg || r.AOR != aor {
				continue
			}
			if r.State == state {
				return
			}
			if r.State == sipclient.RegFailed {
				t.Fatalf("%s: %s", aor, r.Reason)
			}
		case <-timeout:
			t.Fatalf("%s was not %s within 15 s", aor, state)
		}
	}
}
