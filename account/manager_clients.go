package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// drainTimeout bounds the wait for a stopped client's last events.
const drainTimeout = 5 * time.Second

// sessionHint ends the reason of an account that could not get its
// password: what the user can do about it.
const sessionHint = "; enter the password in Accounts… to use it for this session"

// startEnabled starts every enabled account in the background, each in
// its own goroutine: a keyring call may block for its whole timeout.
func (m *Manager) startEnabled() {
	for _, a := range m.Accounts() {
		if !a.Enabled {
			continue
		}
		done, err := m.begin()
		if err != nil {
			return
		}
		go func() {
			defer done()
			defer m.lockAccount(a.ID)()
			cur, ok := m.account(a.ID)
			if !ok || !cur.Enabled || m.clientFor(a.ID) != nil {
				return // saved, removed or disabled meanwhile
			}
			m.startAccount(cur, "")
		}()
	}
}

// account returns the configured account id.
func (m *Manager) account(id string) (Account, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// startAccount starts a's client with password ("" reads the saved one).
// Whatever stops it is reported as a failed registration, in words.
// Caller holds the account's lock and an op.
func (m *Manager) startAccount(a Account, password string) {
	if password == "" {
		p, err := m.password(m.ctx, a.ID)
		if m.ctx.Err() != nil {
			return // closing
		}
		if err != nil {
			m.log.Warn("account not started", "account", a.ID, "error", err)
			m.failed(a, keyringWords(err)+sessionHint)
			return
		}
		password = p
	}
	stopRoster := m.startRoster(a, password) // before the client: it may subscribe to the buddy list
	c, err := sipclient.New(m.accountConfig(a, password), m.accountOptions(a.ID)...)
	if err != nil {
		stopRoster()
		m.failed(a, "could not start: "+err.Error())
		return
	}
	m.mu.Lock()
	m.clients[a.ID] = &running{c: c, drained: m.events.follow(c.Events()), stopRoster: stopRoster}
	if m.imPrefs != nil {
		c.SetIMPrefs(*m.imPrefs) // under the lock: SetIMPrefs cannot pass it by
	}
	m.mu.Unlock()
	m.replaceSubs()
}

// stopAccount closes id's client, if it runs: it unsubscribes and
// unregisters. Its last events are queued before this returns (bounded),
// so they come before those of a client started after it.
func (m *Manager) stopAccount(id string) {
	m.mu.Lock()
	r := m.clients[id]
	delete(m.clients, id)
	m.releaseSubs(id)
	m.mu.Unlock()
	if r == nil {
		return
	}
	r.stopRoster()
	r.c.Close()
	select {
	case <-r.drained:
	case <-time.After(drainTimeout):
		m.log.Warn("a stopped account's events are late", "account", id)
	}
	m.replaceSubs()
}

// replaceSubs puts every subscription where the routes say now.
func (m *Manager) replaceSubs() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.placeSubs(ctx, identity.ID{}); err != nil {
		m.log.Warn("moving subscriptions", "error", err)
	}
}

func (m *Manager) failed(a Account, reason string) {
	m.events.push(sipclient.RegistrationChanged{AOR: a.AOR, State: sipclient.RegFailed, Reason: reason})
}

// accountConfig is the client configuration of account a.
func (m *Manager) accountConfig(a Account, password string) sipclient.Config {
	transport := "tcp" // TCP and TLS accounts; Config knows only udp and tcp
	if a.Transport == TransportUDP {
		transport = "udp"
	}
	m.mu.Lock()
	presence := m.publishedLocked()
	m.mu.Unlock()
	return sipclient.Config{ListenAddr: m.listenAddr(), DisplayName: a.DisplayName, // User "": the AOR's
		Transport: transport, Presence: presence, Server: m.serverConfig(a, password)}
}

func (m *Manager) serverConfig(a Account, password string) *sipclient.ServerConfig {
	return a.ServerConfig(password, m.cfg.RootCAs)
}

// listenAddr is where an account's client listens: the direct client's
// host, on a port of its own.
func (m *Manager) listenAddr() string {
	host, _, err := net.SplitHostPort(m.cfg.Direct.ListenAddr)
	if err != nil || m.cfg.Direct.ListenAddr == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, "0")
}

func (m *Manager) accountOptions(id string) []sipclient.Option {
	return append(m.sharedOptions(), sipclient.WithOutboxShare(m.sendsTo(id)))
}

// password reads id's password: this session's first, then the keyring,
// never longer than the keyring timeout.
func (m *Manager) password(ctx context.Context, id string) (string, error) {
	if p, err := m.cfg.Session.Get(ctx, id); err == nil {
		return p, nil
	}
	if m.cfg.Passwords == nil {
		return "", fmt.Errorf("account %q: read password: %w", id, ErrNoKeyring)
	}
	if m.isPending(id) {
		// The entry is a removed account's, still waiting to be deleted:
		// it must not sign in an account added since under the same ID.
		return "", fmt.Errorf("account %q: read password: %w", id, ErrNotFound)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultKeyringTimeout)
	defer cancel()
	p, err := m.cfg.Passwords.Get(ctx, id)
	if err == nil {
		m.keyringOpened()
	}
	return p, err
}

// keyringWords is a keyring failure in the words of its class, without
// the account and operation the error carries.
func keyringWords(err error) string {
	for _, e := range []error{ErrNoKeyring, ErrKeyringLocked, ErrKeyringTimeout, ErrNotFound} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}
