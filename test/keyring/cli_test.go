package keyring

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/keyringtest"
)

func TestMain(m *testing.M) { clitest.Main(m) }

// TestCLIAccountFromKeyring: `parley-cli --account ID` signs in with the
// password the real keyring holds for that account: no flag, no
// environment variable, no file carries it.
func TestCLIAccountFromKeyring(t *testing.T) {
	if !keyringtest.InSession() {
		kamailio.Require(t)
		clitest.Build(t) // outside the sandbox: the Go build cache lives there
		keyringtest.RunInSession(t, "TestCLIAccountFromKeyring")
		return
	}
	root := keyringtest.RequireSandbox(t)
	password := "pw-" + randomHex(t, 12)
	id := "cli-" + randomHex(t, 4)
	srv := kamailio.Start(t, kamailio.Options{Users: map[string]string{"alice": password}})
	dir, err := account.ConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	a := account.NewAccount(id, "sip:alice@"+srv.Domain())
	a.Registrar, a.Transport = "sip:"+srv.TCPAddr()+";transport=tcp", account.TransportTCP
	if err := account.SaveAccounts(dir, []account.Account{a}); err != nil {
		t.Fatal(err)
	}
	if err := account.NewVault().Set(context.Background(), id, password); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if strings.Contains(kv, password) {
			t.Fatalf("the password is in the environment: %s", kv)
		}
	}
	cli := clitest.StartEnv(t, nil, "--account", id, "--sip-trace")
	ev := cli.WaitEvent(t, 10*time.Second, clitest.Match("registration", "state", "registered"))
	if ev.Str("aor") != a.AOR {
		t.Errorf("registered %s, want %s", ev.Str("aor"), a.AOR)
	}
	cli.Quit(t)
	if !strings.Contains(cli.Stderr(), "Authorization: Digest") {
		t.Error("no digest exchange in the trace")
	}
	if strings.Contains(cli.Stderr(), password) {
		t.Error("the password is in parley-cli's output")
	}
	assertNotInFiles(t, root, password)
}
