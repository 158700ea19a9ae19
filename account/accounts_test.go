package account

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleAccounts() []Account {
	work := NewAccount("work", "sip:alice@example.com")
	work.DisplayName = "Alice \"A\" Liddell"
	work.Registrar = "sip:registrar.example.com:5061;transport=tls"
	work.OutboundProxy = "sip:proxy.example.com;lr"
	work.Transport = TransportTLS
	work.AuthUsername = "alice-auth"
	home := NewAccount("home", "sips:alice@home.example.org")
	home.Transport, home.VerifyTLS, home.Enabled, home.RegisterInterval = TransportTLS, false, false, 600
	return []Account{work, home}
}

// TestNoPasswordInJSON: whatever an account holds, its JSON has no
// password field.
func TestNoPasswordInJSON(t *testing.T) {
	b, err := json.Marshal(sampleAccounts())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(string(b)), "pass") {
		t.Errorf("account JSON mentions a password: %s", b)
	}
	for f := range reflect.TypeFor[Account]().Fields() {
		if strings.Contains(strings.ToLower(f.Name+string(f.Tag)), "pass") || strings.Contains(strings.ToLower(f.Name), "secret") {
			t.Errorf("Account has a field %s %s", f.Name, f.Tag)
		}
	}
}

func TestSaveLoadAccounts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	t.Setenv("PARLEY_CONFIG_DIR", dir)
	cfg, err := ConfigDir()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := LoadAccounts(cfg); got != nil || err != nil {
		t.Fatalf("missing file: %v, %v", got, err)
	}
	want := sampleAccounts()
	if err := SaveAccounts(cfg, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAccounts(cfg)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v, %v\nwant %+v", got, err, want)
	}
	fi, err := os.Stat(filepath.Join(dir, AccountsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts file mode %v, %v; want 0600", fi.Mode(), err)
	}
	want[0].DisplayName = "Changed"
	if err := SaveAccounts(cfg, want[:1]); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if got, _ := LoadAccounts(cfg); len(got) != 1 || got[0].DisplayName != "Changed" {
		t.Errorf("after rewrite: %+v", got)
	}
}

// TestLoadDefaults: fields missing from the file take NewAccount's
// defaults; TLS verification above all stays on.
func TestLoadDefaults(t *testing.T) {
	dir := t.TempDir()
	doc := `{"accounts":[{"id":"w","aor":"sip:bob@example.com","password":"ignored"}]}`
	if err := os.WriteFile(filepath.Join(dir, AccountsFile), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAccounts(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := NewAccount("w", "sip:bob@example.com")
	want.InstanceID = "" // made by the Manager on first start (instance_test.go)
	if !reflect.DeepEqual(got, []Account{want}) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := SaveAccounts(dir, got); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, AccountsFile)); strings.Contains(string(b), "ignored") {
		t.Errorf("a hand-written password survived a save: %s", b)
	}
}

func TestLoadDamaged(t *testing.T) {
	dir := t.TempDir()
	for doc, want := range map[string]string{
		`{"accounts":[`: "damaged",
		`{"accounts":[{"id":"w","aor":"bob@example.com"}]}`:                    "sip:user@host",
		`{"accounts":[{"id":"w","aor":"sip:a@b"},{"id":"w","aor":"sip:c@d"}]}`: "two accounts",
		`{"accounts":[{"id":"w","aor":"sip:a@b","transport":"sctp"}]}`:         "use udp, tcp or tls",
	} {
		if err := os.WriteFile(filepath.Join(dir, AccountsFile), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadAccounts(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := NewAccount("w", "sip:alice@example.com")
	for _, tc := range []struct {
		name string
		edit func(*Account)
		want string // "" for valid
	}{
		{"defaults", func(*Account) {}, ""},
		{"sips over tls", func(a *Account) { a.AOR, a.Transport = "SIPS:alice@example.com", TransportTLS }, ""},
		{"ipv6 and port", func(a *Account) { a.AOR, a.Registrar = "sip:alice@[2001:db8::1]:5070", "sip:[2001:db8::1]" }, ""},
		{"no ID", func(a *Account) { a.ID = " " }, "needs an ID"},
		{"no scheme", func(a *Account) { a.AOR = "alice@example.com" }, "sip:user@host"},
		{"tel", func(a *Account) { a.AOR = "tel:+123" }, "sip:user@host"},
		{"no user", func(a *Account) { a.AOR = "sip:example.com" }, "has no user"},
		{"no host", func(a *Account) { a.AOR = "sip:alice@" }, "sip:user@host"},
		{"params in AOR", func(a *Account) { a.AOR = "sip:alice@example.com;transport=tcp" }, "no ;parameters"},
		{"injection", func(a *Account) { a.AOR = "sip:alice@example.com\r\nVia: x" }, "sip:user@host"},
		{"registrar http", func(a *Account) { a.Registrar = "https://example.com" }, "registrar"},
		{"proxy bad", func(a *Account) { a.OutboundProxy = "sip:" }, "outbound proxy"},
		{"transport", func(a *Account) { a.Transport = "UDP" }, "use udp, tcp or tls"},
		{"sips over tcp", func(a *Account) { a.AOR, a.Transport = "sips:alice@example.com", TransportTCP }, "needs transport tls"},
		{"interval", func(a *Account) { a.RegisterInterval = 10 }, "register interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ok
			tc.edit(&a)
			err := a.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("valid account refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidAccount) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if err := SaveAccounts(t.TempDir(), []Account{{ID: "x"}}); !errors.Is(err, ErrInvalidAccount) {
		t.Errorf("SaveAccounts of an invalid account: %v", err)
	}
}

func TestDerived(t *testing.T) {
	a := NewAccount("w", "sips:alice@example.com:5071")
	if got := a.RegistrarURI(); got != "sips:example.com:5071" {
		t.Errorf("RegistrarURI = %q", got)
	}
	if got := a.AuthUser(); got != "alice" {
		t.Errorf("AuthUser = %q", got)
	}
	a.Registrar, a.AuthUsername = "sip:reg.example.com;transport=tcp", "a1"
	if a.RegistrarURI() != a.Registrar || a.AuthUser() != "a1" {
		t.Errorf("explicit registrar/auth user not used: %q %q", a.RegistrarURI(), a.AuthUser())
	}
}

func TestXCAPRootValidation(t *testing.T) {
	a := NewAccount("w", "sip:alice@example.test")
	for root, ok := range map[string]bool{"": true, "https://xcap.example.test/xcap-root": true,
		"http://127.0.0.1:5070/xcap-root": true, "ftp://x/y": false, "xcap-root": false, "https://": false} {
		a.XCAPRoot = root
		if err := a.Validate(); (err == nil) != ok {
			t.Errorf("XCAP root %q: %v, want ok=%v", root, err, ok)
		}
	}
	a.XCAPRoot = "https://xcap.example.test/xcap-root"
	if sc := a.ServerConfig("pw", nil); sc.XCAPRoot != a.XCAPRoot {
		t.Errorf("server config XCAP root %q", sc.XCAPRoot)
	}
}
