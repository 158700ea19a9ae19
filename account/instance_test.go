package account_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
)

// An accounts file from before instance IDs: the first start gives each
// account one and saves it; later starts keep it. New accounts get their
// own, and the SIP core is handed it.
func TestInstanceIDMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := `{"accounts":[{"id":"work","aor":"sip:alice@parley.test","transport":"udp","register_interval":300,"enabled":false}]}`
	if err := os.WriteFile(filepath.Join(dir, account.AccountsFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	accs, err := account.LoadAccounts(dir)
	if err != nil || len(accs) != 1 || accs[0].InstanceID != "" {
		t.Fatalf("old file: %+v %v", accs, err)
	}
	m, _ := newManager(t, nil, account.ManagerConfig{Dir: dir, Accounts: accs})
	id := m.Accounts()[0].InstanceID
	if !strings.HasPrefix(id, "urn:uuid:") || len(id) != len("urn:uuid:")+36 {
		t.Fatalf("instance ID %q", id)
	}
	saved, err := account.LoadAccounts(dir)
	if err != nil || saved[0].InstanceID != id {
		t.Fatalf("saved %+v %v, want instance %s", saved, err, id)
	}
	m.Close()
	m2, _ := newManager(t, nil, account.ManagerConfig{Dir: dir, Accounts: saved})
	if got := m2.Accounts()[0].InstanceID; got != id {
		t.Fatalf("second start: %s, first %s", got, id)
	}
	if sc := saved[0].ServerConfig("pw", nil); sc.InstanceID != id {
		t.Errorf("ServerConfig instance %q", sc.InstanceID)
	}
	a, b := account.NewAccount("a", "sip:a@parley.test"), account.NewAccount("b", "sip:b@parley.test")
	if a.InstanceID == "" || a.InstanceID == b.InstanceID {
		t.Errorf("new accounts' instances %q %q", a.InstanceID, b.InstanceID)
	}
	bad := a
	bad.InstanceID = `urn:uuid:"x"`
	if bad.Validate() == nil {
		t.Error("a quoted instance ID passed validation")
	}
}
