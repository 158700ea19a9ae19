package account

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-im/parley/sipclient"
)

// Transport is how an account reaches its registrar.
type Transport string

// The transports an account may use.
const (
	TransportUDP Transport = "udp"
	TransportTCP Transport = "tcp"
	TransportTLS Transport = "tls"
)

// Registration interval bounds, in seconds.
const (
	DefaultRegisterInterval = 3600
	MinRegisterInterval     = 60
	MaxRegisterInterval     = 86400
)

// ErrInvalidAccount is wrapped by every validation failure.
var ErrInvalidAccount = errors.New("account: invalid account")

// Account is one SIP account registered with a server. It holds no
// password: that lives in a PasswordStore under the account's ID.
type Account struct {
	ID          string `json:"id"`  // stable key; the keyring user name
	AOR         string `json:"aor"` // sip:user@host or sips:user@host
	DisplayName string `json:"display_name,omitempty"`
	// AuthUsername is the digest username when it differs from the
	// AOR's user part.
	AuthUsername string `json:"auth_username,omitempty"`
	// Registrar is the REGISTER Request-URI; empty means the AOR's domain.
	Registrar string `json:"registrar,omitempty"`
	// OutboundProxy, if set, receives every request (RFC 3261 8.1.2).
	OutboundProxy string `json:"outbound_proxy,omitempty"`
	// XCAPRoot, if set, is where the server keeps presence rules (e.g.
	// https://example.com/xcap-root): answers about watchers go there.
	XCAPRoot string `json:"xcap_root,omitempty"`
	// BuddyList, if set, is the account's resource list URI (RFC 4662,
	// e.g. sip:alice-buddies@example.com): contacts are watched with one
	// SUBSCRIBE to it. With an XCAP root, Parley writes it as a service of
	// the user's rls-services document from the contact list.
	BuddyList        string    `json:"buddy_list,omitempty"`
	Transport        Transport `json:"transport"`
	VerifyTLS        bool      `json:"verify_tls"`        // check the server certificate (default true)
	RegisterInterval int       `json:"register_interval"` // requested Expires, seconds
	Enabled          bool      `json:"enabled"`
	// InstanceID is this install's +sip.instance for the account (RFC
	// 5626), made once and kept: with it the server tells this device
	// from the user's others (SIP Outbound, GRUU). Not a secret. Files
	// from before it get one on first start (Manager.keepInstanceIDs).
	InstanceID string `json:"instance_id,omitempty"`
}

// NewAccount returns an account with the defaults: UDP, TLS verified,
// re-registration every hour, enabled.
func NewAccount(id, aor string) Account {
	a := defaults(id, aor)
	a.InstanceID = sipclient.NewInstanceID()
	return a
}

func defaults(id, aor string) Account {
	return Account{ID: id, AOR: aor, Transport: TransportUDP, VerifyTLS: true,
		RegisterInterval: DefaultRegisterInterval, Enabled: true}
}

// UnmarshalJSON fills fields missing from the file with NewAccount's
// defaults, so an older file never turns TLS verification off. A missing
// instance ID stays missing: the Manager makes one and saves it.
func (a *Account) UnmarshalJSON(b []byte) error {
	type plain Account
	p := plain(defaults("", ""))
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = Account(p)
	return nil
}

// Validate says what is wrong with the account, in words for the user.
func (a Account) Validate() error {
	if err := a.validate(); err != nil {
		return fmt.Errorf("%w %q: %w", ErrInvalidAccount, a.ID, err)
	}
	return nil
}

func (a Account) validate() error {
	if strings.TrimSpace(a.ID) == "" || hasControl(a.ID) || len(a.ID) > 128 {
		return errors.New("the account needs an ID: up to 128 printable characters")
	}
	if err := validateAOR(a.AOR); err != nil {
		return err
	}
	if err := validateServer("registrar", a.Registrar); err != nil {
		return err
	}
	if err := validateServer("outbound proxy", a.OutboundProxy); err != nil {
		return err
	}
	if err := validateXCAPRoot(a.XCAPRoot); err != nil {
		return err
	}
	if a.InstanceID != "" && !strings.HasPrefix(a.InstanceID, "urn:uuid:") || strings.ContainsAny(a.InstanceID, "\"<>\\ ") || hasControl(a.InstanceID) {
		return fmt.Errorf("instance ID %q: want urn:uuid:…, or nothing", a.InstanceID)
	}
	if err := validateServer("buddy list", a.BuddyList); err != nil {
		return err
	}
	if hasControl(a.DisplayName) || hasControl(a.AuthUsername) {
		return errors.New("the display name and auth username may not hold control characters")
	}
	return a.validateTransport()
}

func (a Account) validateTransport() error {
	switch a.Transport {
	case TransportUDP, TransportTCP, TransportTLS:
	default:
		return fmt.Errorf("transport %q: use udp, tcp or tls", a.Transport)
	}
	if hasScheme(a.AOR, "sips") && a.Transport != TransportTLS {
		return fmt.Errorf("a sips: address needs transport tls, not %s", a.Transport)
	}
	if a.RegisterInterval < MinRegisterInterval || a.RegisterInterval > MaxRegisterInterval {
		return fmt.Errorf("register interval %d s: use %d to %d seconds",
			a.RegisterInterval, MinRegisterInterval, MaxRegisterInterval)
	}
	return nil
}

func validateAOR(aor string) error {
	if !hasScheme(aor, "sip") && !hasScheme(aor, "sips") {
		return fmt.Errorf("address %q: write it as sip:user@host or sips:user@host", aor)
	}
	u, err := sipclient.ParseURI(aor)
	if err != nil {
		return fmt.Errorf("address %q: write it as sip:user@host: %w", aor, err)
	}
	if u.User == "" {
		return fmt.Errorf("address %q has no user: write it as sip:user@host", aor)
	}
	if strings.ContainsAny(aor, ";?") {
		return fmt.Errorf("address %q: an address of record takes no ;parameters or ?headers", aor)
	}
	return nil
}

// validateServer checks an optional registrar or proxy URI.
func validateServer(what, uri string) error {
	if uri == "" {
		return nil
	}
	if !hasScheme(uri, "sip") && !hasScheme(uri, "sips") {
		return fmt.Errorf("%s %q: write it as a sip: URI, like sip:sip.example.com", what, uri)
	}
	if _, err := sipclient.ParseURI(uri); err != nil {
		return fmt.Errorf("%s %q: write it as a sip: URI, like sip:sip.example.com: %w", what, uri, err)
	}
	return nil
}

func hasScheme(uri, scheme string) bool {
	return len(uri) > len(scheme) && strings.EqualFold(uri[:len(scheme)+1], scheme+":")
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// RegistrarURI is where REGISTER goes: Registrar, or else the AOR's domain
// (RFC 3261 section 10.2.6). Call it on a valid account.
func (a Account) RegistrarURI() string {
	if a.Registrar != "" {
		return a.Registrar
	}
	u, err := sipclient.ParseURI(a.AOR)
	if err != nil {
		return ""
	}
	return u.Scheme + ":" + u.HostPort()
}

// AuthUser is the digest username: AuthUsername, or else the AOR's user.
func (a Account) AuthUser() string {
	if a.AuthUsername != "" {
		return a.AuthUsername
	}
	u, err := sipclient.ParseURI(a.AOR)
	if err != nil {
		return ""
	}
	return u.User
}

// AccountsFile is the file, under the config directory, holding the
// account list.
const AccountsFile = "accounts.json"

type accountsDoc struct {
	Accounts []Account `json:"accounts"`
}

// LoadAccounts reads the account list from dir (normally ConfigDir()); a
// missing file is no accounts. It fails on a damaged file or an invalid
// account, saying which.
func LoadAccounts(dir string) ([]Account, error) {
	path := filepath.Join(dir, AccountsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: read accounts: %w", err)
	}
	var doc accountsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("account: accounts file %s is damaged: %w", path, err)
	}
	if err := validateAll(doc.Accounts); err != nil {
		return nil, fmt.Errorf("account: accounts file %s: %w", path, err)
	}
	return doc.Accounts, nil
}

// SaveAccounts validates the list and writes it to dir atomically (a
// temporary file, synced, then renamed), readable by the user only.
func SaveAccounts(dir string, accounts []Account) error {
	if err := validateAll(accounts); err != nil {
		return err
	}
	b, err := json.MarshalIndent(accountsDoc{Accounts: accounts}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, AccountsFile), append(b, '\n')); err != nil {
		return fmt.Errorf("account: save accounts: %w", err)
	}
	return nil
}

func validateAll(accounts []Account) error {
	seen := map[string]bool{}
	for _, a := range accounts {
		if err := a.Validate(); err != nil {
			return err
		}
		if seen[a.ID] {
			return fmt.Errorf("%w: two accounts have the ID %q", ErrInvalidAccount, a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}

// writeFileAtomic replaces path with data, mode 0600, so that a crash
// leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ServerConfig is the SIP core's view of the account, with its password
// and the CAs to trust (nil: the system's). VerifyTLS off turns checks off
// for this account alone.
func (a Account) ServerConfig(password string, roots *x509.CertPool) *sipclient.ServerConfig {
	return &sipclient.ServerConfig{AOR: a.AOR, Registrar: a.Registrar, OutboundProxy: a.OutboundProxy, XCAPRoot: a.XCAPRoot,
		BuddyList: a.BuddyList,
		AuthUser:  a.AuthUser(), Password: password, Transport: string(a.Transport), Expires: a.RegisterInterval,
		RootCAs: roots, SkipVerify: !a.VerifyTLS, InstanceID: a.InstanceID}
}

// validateXCAPRoot accepts "" or an http(s) URL with a host.
func validateXCAPRoot(root string) error {
	if root == "" {
		return nil
	}
	u, err := url.Parse(root)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || hasControl(root) {
		return fmt.Errorf("presence rules server %q: write it as https://host/xcap-root", root)
	}
	return nil
}
