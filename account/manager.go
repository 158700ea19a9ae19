package account

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// ErrNotSignedIn: the account a request is routed to has no running
// client (no password yet, or it could not start).
var ErrNotSignedIn = errors.New("account: the account is not signed in")

// ManagerConfig is what a Manager runs.
type ManagerConfig struct {
	Direct sipclient.Config // the peer-to-peer identity; its Server must be nil
	// Options go to every client (logger, trace, policy...). The manager
	// adds WithStore and WithOutboxShare itself: leave them out.
	Options []sipclient.Option
	// Store is the history shared by every identity; the caller owns it
	// and closes it after the Manager. Nil: an in-memory store the
	// Manager owns.
	Store    *history.Store
	Dir      string    // config directory of the accounts file
	Accounts []Account // as LoadAccounts read them
	// Passwords is the keyring (a Vault); nil means there is none.
	Passwords PasswordStore
	// Session holds the passwords typed "for this session only"; nil
	// makes a fresh SessionVault.
	Session *SessionVault
	// RootCAs, when set, are the only CAs trusted for TLS (tests).
	RootCAs *x509.CertPool
	Log     *slog.Logger
	// Prefs, when set, keeps the user's status and note across restarts:
	// the saved ones replace Direct.Presence before anything is published
	// or answered, and SetPresence saves.
	Prefs *Prefs
	// Book, when set, is the user's contact book (the one given to the
	// clients with WithBook): accounts with an XCAP root keep it in step
	// with their contact list at the server (ServerRoster).
	Book *Book
}

// Manager runs the user's identities: the direct peer-to-peer client and
// one server-mode client per enabled account, all on one history store.
// It is the UI's core (ui.Core) and its account service
// (ui.AccountService). Requests for an account's domain go through that
// account; everything else goes direct.
type Manager struct {
	cfg    ManagerConfig
	log    *slog.Logger
	direct *sipclient.Client
	store  *history.Store
	owned  bool // store opened here
	// fallback is the one in-memory store every identity moves to if the
	// shared store fails mid-session, so IDs stay unique across them.
	fallbackOnce sync.Once
	fallback     *history.Store
	fallbackErr  error
	events       *merger
	routes       atomic.Pointer[routeTable]
	ctx          context.Context // ends when Close begins: cuts keyring waits short
	cancel       context.CancelFunc

	fileMu sync.Mutex // the account list and its file
	// pubMu: one change of the user's own presence (their choice, or the
	// automatic Away) is worked out and handed to the clients at a time,
	// so a stale one never lands after a newer one. Taken before mu.
	pubMu sync.Mutex
	// pendingMu guards the pending keyring deletions file; sweeping is
	// set while a sweep of it runs.
	pendingMu sync.Mutex
	sweeping  atomic.Bool
	locks     map[string]*sync.Mutex // per account ID: one start/stop at a time

	mu       sync.Mutex
	closed   bool
	ops      sync.WaitGroup // account work in progress; Close waits for it
	accounts []Account
	clients  map[string]*running    // by account ID
	subs     map[identity.ID]*watch // by contact
	presence sipclient.Presence     // the user's choice
	auto     bool                   // the automatic Away is published instead (away.go)
	autoFrom time.Time              // the last input before the automatic Away, as near as known
	// awayAfter is the auto-away threshold for this run (0: never), nil
	// until set or first read from the prefs; awayChanged wakes
	// WatchAutoAway when it changes (away.go).
	awayAfter   *time.Duration
	awayChanged chan struct{}
	// seen keeps contacts' last-seen times across restarts (lastseen.go).
	seen *lastSeen
	// lastResume is when the last wake-up was handled (resume.go).
	lastResume time.Time
	imPrefs    *sipclient.IMPrefs // the user's IM choices, nil until set: given to clients that start later
	once       sync.Once
}

// running is one account's client and the end of its event stream.
type running struct {
	c          *sipclient.Client
	drained    <-chan struct{}
	stopRoster func() // ends its ServerRoster
}

// NewManager starts the direct client at once and the enabled accounts in
// the background (their passwords come from the keyring, which may block).
func NewManager(cfg ManagerConfig) (*Manager, error) {
	if cfg.Direct.Server != nil {
		return nil, errors.New("account: the direct identity has a server")
	}
	if cfg.Prefs != nil {
		cfg.Direct.Presence = cfg.Prefs.Presence()
	}
	if cfg.Direct.Presence.Status == "" {
		cfg.Direct.Presence.Status = sipclient.StatusAvailable // as the client takes it
	}
	m := &Manager{cfg: cfg, log: cfg.Log, store: cfg.Store, events: newMerger(),
		locks: map[string]*sync.Mutex{}, clients: map[string]*running{}, subs: map[identity.ID]*watch{}, awayChanged: make(chan struct{}, 1),
		accounts: append([]Account(nil), cfg.Accounts...), presence: cfg.Direct.Presence}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.cfg.Session == nil {
		m.cfg.Session = NewSessionVault()
	}
	if err := m.openStore(); err != nil {
		m.cancel()
		m.events.end()
		return nil, err
	}
	m.loadLastSeen(m.ctx)
	m.keepInstanceIDs()
	m.setRoutes(m.accounts)
	opts := append(m.sharedOptions(), sipclient.WithOutboxShare(m.sendsTo(direct)))
	c, err := sipclient.New(cfg.Direct, opts...)
	if err != nil {
		m.cancel()
		m.closeStore()
		m.events.end()
		return nil, err
	}
	m.direct = c
	m.events.follow(c.Events())
	m.startEnabled()
	m.sweepAtStart() // entries of accounts removed while it was locked
	m.watchKeyring() // and again each time it is unlocked
	return m, nil
}

func (m *Manager) openStore() error {
	if m.store != nil {
		return nil
	}
	st, err := history.OpenMemory(context.Background())
	if err != nil {
		return fmt.Errorf("account: history: %w", err)
	}
	m.store, m.owned = st, true
	return nil
}

func (m *Manager) closeStore() {
	m.fallbackOnce.Do(func() {}) // orders the read below after any opening
	if m.fallback != nil {
		m.fallback.Close()
	}
	if !m.owned {
		return
	}
	if err := m.store.Close(); err != nil {
		m.log.Warn("closing the history", "error", err)
	}
}

// sharedOptions are the caller's options plus the shared store.
func (m *Manager) sharedOptions() []sipclient.Option {
	return append(append([]sipclient.Option(nil), m.cfg.Options...), sipclient.WithStore(m.store),
		sipclient.WithFallbackStore(m.fallbackStore))
}

func (m *Manager) fallbackStore(ctx context.Context) (*history.Store, error) {
	m.fallbackOnce.Do(func() { m.fallback, m.fallbackErr = history.OpenMemory(ctx) })
	return m.fallback, m.fallbackErr
}

// Events is every identity's events in one stream, closed after Close
// once every client's stream has been delivered.
func (m *Manager) Events() <-chan sipclient.Event { return m.events.out }

// AOR is the direct identity's address.
func (m *Manager) AOR() string { return m.direct.AOR() }

// Accounts returns the configured accounts.
func (m *Manager) Accounts() []Account {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Account(nil), m.accounts...)
}

// begin registers account work; it fails once Close has begun.
func (m *Manager) begin() (done func(), err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, sipclient.ErrClosed
	}
	m.ops.Add(1)
	return m.ops.Done, nil
}

// lockAccount serializes starting and stopping one account.
func (m *Manager) lockAccount(id string) (unlock func()) {
	m.mu.Lock()
	l := m.locks[id]
	if l == nil {
		l = &sync.Mutex{}
		m.locks[id] = l
	}
	m.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// Close stops every client (each unsubscribes, ends its watchers and
// unregisters), then closes the store if it opened it. The event stream
// closes once the clients' last events are delivered. Safe to call more
// than once.
func (m *Manager) Close() error {
	m.once.Do(func() {
		m.mu.Lock()
		m.closed = true
		m.mu.Unlock()
		m.cancel()
		m.ops.Wait() // account starts and saves in progress finish first
		m.mu.Lock()
		all := []*sipclient.Client{m.direct}
		for _, r := range m.clients {
			all = append(all, r.c)
		}
		m.mu.Unlock()
		var wg sync.WaitGroup
		for _, c := range all {
			wg.Go(func() { c.Close() })
		}
		wg.Wait()
		m.seen.flush() // before the store closes
		m.closeStore()
		m.events.end()
	})
	return nil
}
