package account

import (
	"strings"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// direct is the route of everything no account claims.
const direct = ""

// routeTable says which identity a contact address goes through: the
// first enabled account whose AOR domain the address is in, else the
// direct client. It is replaced whole when the accounts change, so the
// clients' outbox goroutines read it without locks.
type routeTable struct {
	domains []domainRoute
}

type domainRoute struct {
	id   string
	host string // lower case
	port int    // 0: any port the client would send via its server
}

func (m *Manager) setRoutes(accounts []Account) {
	t := &routeTable{}
	for _, a := range accounts {
		if !a.Enabled {
			continue
		}
		u, err := sipclient.ParseURI(a.AOR)
		if err != nil {
			continue // Validate refused it already
		}
		t.domains = append(t.domains, domainRoute{id: a.ID, host: strings.ToLower(u.Host), port: u.Port})
	}
	m.routes.Store(t)
}

// route is the ID of the account that uri goes through, or direct.
func (m *Manager) route(uri string) string {
	u, err := sipclient.ParseURI(uri)
	if err != nil {
		return direct
	}
	host := strings.ToLower(u.Host)
	for _, d := range m.routes.Load().domains {
		// The same test as the client's own "via the server": any port
		// when the AOR names none, else that port.
		if host == d.host && (u.Port == 0 || u.Port == d.port) {
			return d.id
		}
	}
	return direct
}

// sendsTo is WithOutboxShare for the identity id: it resends only the
// queued messages routed to it, so no message goes out twice.
func (m *Manager) sendsTo(id string) func(peerAOR string) bool {
	return func(peer string) bool { return m.route(peer) == id }
}

// clientFor returns the running client of route id; nil for an account
// that is not running.
func (m *Manager) clientFor(id string) *sipclient.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clientLocked(id)
}

// routeClient is the client for uri, or ErrNotSignedIn naming the account
// that should carry it.
func (m *Manager) routeClient(uri string) (*sipclient.Client, error) {
	id := m.route(uri)
	if c := m.clientFor(id); c != nil {
		return c, nil
	}
	return nil, &notSignedInError{aor: m.accountAOR(id)}
}

func (m *Manager) accountAOR(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.accounts {
		if a.ID == id {
			return a.AOR
		}
	}
	return id
}

// notSignedInError names the account; it matches ErrNotSignedIn.
type notSignedInError struct{ aor string }

func (e *notSignedInError) Error() string {
	return "the account " + accountName(e.aor) + " is not signed in"
}

func (e *notSignedInError) Is(target error) bool { return target == ErrNotSignedIn }

// accountName is how an account is named to the user: its identity
// without the scheme (alice@example.test).
func accountName(aor string) string {
	if id, err := identity.Parse(aor); err == nil {
		return strings.TrimPrefix(id.String(), "sip:")
	}
	return aor
}
