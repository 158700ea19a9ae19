package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// accountFlags select server mode: a configured account (--account) or
// one given on the command line (--aor ...). No flag takes a password.
type accountFlags struct {
	name        string // --account: an account ID (or its AOR)
	aor         string
	registrar   string // also the outbound proxy
	authUser    string
	passwordEnv string // name of the variable holding the password
	caFile      string
	expires     int
	xcapRoot    string
}

func (a *accountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.name, "account", "", "server mode: register the configured account with ID `NAME` (from accounts.json in "+
		"$PARLEY_CONFIG_DIR, else $XDG_CONFIG_HOME/parley or ~/.config/parley); its password is read from the OS keyring")
	fs.StringVar(&a.aor, "aor", "", "server mode: register the account `URI` given here, e.g. sip:alice@example.test (needs --password-env)")
	fs.StringVar(&a.registrar, "registrar", "", "with --aor: registrar `URI`, also the outbound proxy for the account's domain, "+
		"e.g. 'sip:127.0.0.1:5070;transport=tcp' (default: the AOR's domain)")
	fs.StringVar(&a.authUser, "auth-user", "", "with --aor: digest user `NAME` (default: the AOR's user)")
	fs.StringVar(&a.passwordEnv, "password-env", "", "read the account's password from the environment variable `VAR` "+
		"(required with --aor; with --account it replaces the keyring)")
	fs.StringVar(&a.caFile, "ca-file", "", "server mode: trust only the CA certificates in `PEM` for TLS (default: the system's roots)")
	fs.StringVar(&a.xcapRoot, "xcap-root", "", "server mode: the server's XCAP root `URL` (e.g. http://127.0.0.1:5070/xcap-root); "+
		"allow/block answers are stored there as presence rules")
	fs.IntVar(&a.expires, "register-expires", 0, "server mode: ask the registrar for a registration of `SEC` seconds (default: the account's interval, else 3600)")
}

// check says what is wrong with the combination of server flags given.
func (a *accountFlags) check(set map[string]bool) error {
	switch {
	case a.name != "" && a.aor != "":
		return errors.New("use --account NAME or --aor URI, not both")
	case a.name != "" && (set["registrar"] || set["auth-user"]):
		return errors.New("with --account the registrar and auth user come from the account's settings; " +
			"use --aor to give them on the command line")
	case a.name == "" && a.aor == "":
		for _, n := range []string{"registrar", "auth-user", "password-env", "ca-file", "register-expires", "xcap-root"} {
			if set[n] {
				return fmt.Errorf("--%s is for server mode: give --aor URI or --account NAME too", n)
			}
		}
		return nil
	case set["password-env"] && a.passwordEnv == "":
		return errors.New("--password-env needs the name of an environment variable")
	case a.aor != "" && a.passwordEnv == "":
		return errors.New("--aor needs --password-env VAR: the password is read from an environment variable, never from a flag")
	case set["register-expires"] && a.expires <= 0:
		return fmt.Errorf("--register-expires %d: want a positive number of seconds", a.expires)
	}
	return a.checkURIs()
}

func (a *accountFlags) checkURIs() error {
	if a.aor != "" {
		u, err := sipclient.ParseURI(a.aor)
		if err != nil {
			return fmt.Errorf("--aor %q: write it as sip:user@domain: %w", a.aor, err)
		}
		if u.User == "" {
			return fmt.Errorf("--aor %q has no user: write it as sip:user@domain", a.aor)
		}
	}
	if a.registrar != "" {
		if _, err := sipclient.ParseURI(a.registrar); err != nil {
			return fmt.Errorf("--registrar %q: write it as a sip: URI, like 'sip:127.0.0.1:5070;transport=tcp': %w", a.registrar, err)
		}
	}
	return nil
}

// outside is what server mode reads besides the command line; tests
// replace it.
type outside struct {
	lookupEnv func(string) (string, bool)
	configDir func() (string, error)
	passwords func() account.PasswordStore
}

func osOutside() outside {
	return outside{lookupEnv: os.LookupEnv, configDir: account.ConfigDir,
		passwords: func() account.PasswordStore { return account.NewVault() }}
}

// resolveServer turns the server flags into f.server (nil in direct mode):
// the account, its password, the CAs to trust. It also makes the account's
// user and display name the defaults of --user and --display-name.
func (f *flags) resolveServer(ctx context.Context, o outside, log *slog.Logger) error {
	a := f.acct
	if a.name == "" && a.aor == "" {
		return nil
	}
	sc := &sipclient.ServerConfig{AOR: a.aor, Registrar: a.registrar, AuthUser: a.authUser}
	var acc *account.Account
	if a.name != "" {
		found, err := findAccount(o, a.name)
		if err != nil {
			return err
		}
		acc = &found
		sc = fromAccount(found, log)
	}
	if a.expires > 0 {
		sc.Expires = a.expires
	}
	if a.xcapRoot != "" {
		sc.XCAPRoot = a.xcapRoot
	}
	var err error
	if sc.Password, err = a.password(ctx, o, acc); err != nil {
		return err
	}
	if a.caFile != "" {
		if sc.RootCAs, err = loadCAs(a.caFile); err != nil {
			return err
		}
		sc.SkipVerify = false // trusting a given CA means checking against it
	}
	f.server = sc
	f.accountDefaults(sc, acc)
	return nil
}

// accountDefaults: without --user the contact carries the AOR's user,
// without --display-name the account's display name is used.
func (f *flags) accountDefaults(sc *sipclient.ServerConfig, acc *account.Account) {
	if !f.set["user"] {
		if u, err := sipclient.ParseURI(sc.AOR); err == nil && u.User != "" {
			f.user = u.User
		}
	}
	if !f.set["display-name"] && acc != nil {
		f.name = acc.DisplayName
	}
}

// findAccount looks name up by ID, or else by AOR, in the configured
// accounts.
func findAccount(o outside, name string) (account.Account, error) {
	dir, err := o.configDir()
	if err != nil {
		return account.Account{}, err
	}
	accs, err := account.LoadAccounts(dir)
	if err != nil {
		return account.Account{}, err
	}
	ids := make([]string, 0, len(accs))
	for _, acc := range accs {
		if acc.ID == name || strings.EqualFold(acc.AOR, name) {
			return acc, nil
		}
		ids = append(ids, acc.ID)
	}
	file := filepath.Join(dir, account.AccountsFile)
	if len(ids) == 0 {
		return account.Account{}, fmt.Errorf("--account %s: no accounts are configured (%s does not list any)", name, file)
	}
	return account.Account{}, fmt.Errorf("--account %s: no such account in %s; configured: %s", name, file, strings.Join(ids, ", "))
}

// fromAccount is a configured account's server settings, saying so when
// it turns TLS checks off or is disabled.
func fromAccount(acc account.Account, log *slog.Logger) *sipclient.ServerConfig {
	sc := acc.ServerConfig("", nil)
	if !acc.VerifyTLS {
		log.Warn("TLS certificate checks are off for this account, as its settings say", "account", acc.ID)
	}
	if !acc.Enabled {
		log.Warn("the account is disabled in the settings; using it because --account names it", "account", acc.ID)
	}
	return sc
}

// password reads the account's password: from --password-env's variable,
// else from the OS keyring under the account's ID.
func (a *accountFlags) password(ctx context.Context, o outside, acc *account.Account) (string, error) {
	if a.passwordEnv != "" {
		v, ok := o.lookupEnv(a.passwordEnv)
		if !ok {
			return "", fmt.Errorf("--password-env %s: the environment variable %s is not set; set it to the account's password",
				a.passwordEnv, a.passwordEnv)
		}
		if v == "" {
			return "", fmt.Errorf("--password-env %s: the environment variable %s is empty", a.passwordEnv, a.passwordEnv)
		}
		return v, nil
	}
	pw, err := o.passwords().Get(ctx, acc.ID)
	if err != nil {
		return "", fmt.Errorf("%w; or give the password with --password-env VAR", err)
	}
	return pw, nil
}

// loadCAs reads the PEM certificates of --ca-file into a pool of their own.
func loadCAs(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", path)
	}
	return pool, nil
}
