package sipclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// ServerConfig makes a Client the user agent of one account at a SIP
// server: it registers AOR at Registrar, sends requests for the server's
// domain through the registrar as outbound proxy, answers digest
// challenges, and PUBLISHes its own presence. Peers elsewhere are still
// reached directly, and can still subscribe to it directly.
type ServerConfig struct {
	AOR       string // sip:alice@example.test or sips:...
	Registrar string // e.g. sip:127.0.0.1:5070;transport=tcp; "" means the AOR's domain
	// OutboundProxy, when set, receives every server-bound request,
	// REGISTER included (RFC 3261 8.1.2); else the registrar does.
	OutboundProxy string
	AuthUser      string // digest username; "" means the AOR's user
	Password      string
	Transport     string // "udp", "tcp" or "tls"; "" takes Registrar's transport param, else udp
	Expires       int    // registration interval asked for, seconds (default 3600)

	// RootCAs, when set, is the only set of CAs trusted for TLS (tests
	// trust their own CA this way). Nil means the system's roots.
	RootCAs *x509.CertPool
	// SkipVerify turns certificate checks off for this account alone,
	// when its user chose so. Never set by default.
	SkipVerify bool
	// XCAPRoot, when set, is the server's XCAP root (RFC 4825), e.g.
	// http://example.test/xcap-root: the user's answers about watchers are
	// stored there as pres-rules (RFC 5025), so the server applies them.
	XCAPRoot string
	// BuddyList, when set, is the URI of the user's resource list at the
	// server (RFC 4662, e.g. sip:alice-buddies@example.test, a service
	// of their rls-services document): contacts are watched with one
	// SUBSCRIBE to it instead of one each, unless the server refuses.
	BuddyList string
	// KeepAlive is how often the way to the server is tried (default
	// 30 s): a CRLF keepalive on TCP/TLS, an OPTIONS on UDP. A dropped
	// TCP/TLS connection is noticed within a second whatever this is.
	KeepAlive time.Duration
	// InstanceID, when set, is this device's +sip.instance (a "urn:uuid:"
	// URN from NewInstanceID, kept with the account): REGISTER then asks
	// for SIP Outbound and GRUU (RFC 5626, 5627), used when the server
	// offers them (outbound.go). "" registers as plain RFC 3261.
	InstanceID string
}

// server is the parsed ServerConfig a client in server mode works with.
type server struct {
	cfg       ServerConfig
	aor       sip.Uri // sip:user@domain
	registrar sip.Uri // REGISTER Request-URI
	proxy     string  // host:port every server-bound request goes to
	transport string  // UDP, TCP or TLS
	authUser  string
}

func parseServer(sc ServerConfig) (*server, error) {
	aor, err := ParseURI(sc.AOR)
	if err != nil {
		return nil, fmt.Errorf("account address: %w", err)
	}
	if aor.User == "" {
		return nil, fmt.Errorf("%w: account address %q has no user", ErrInvalidURI, sc.AOR)
	}
	reg := sip.Uri{Scheme: aor.Scheme, Host: aor.Host, Port: aor.Port}
	if sc.Registrar != "" {
		if reg, err = ParseURI(sc.Registrar); err != nil {
			return nil, fmt.Errorf("registrar: %w", err)
		}
	}
	s := &server{cfg: sc, aor: sip.Uri{Scheme: aor.Scheme, User: aor.User, Host: aor.Host, Port: aor.Port},
		authUser: sc.AuthUser}
	s.transport = strings.ToUpper(sc.Transport)
	if s.transport == "" {
		s.transport = uriTransport(reg, "UDP")
	}
	switch s.transport {
	case "UDP", "TCP", "TLS":
	default:
		return nil, fmt.Errorf("sipclient: transport %q: want udp, tcp or tls", sc.Transport)
	}
	if reg.Port == 0 && s.transport == "TLS" {
		reg.Port = 5061
	}
	s.proxy = hostPort(reg)
	if sc.OutboundProxy != "" {
		p, err := ParseURI(sc.OutboundProxy)
		if err != nil {
			return nil, fmt.Errorf("outbound proxy: %w", err)
		}
		if p.Port == 0 && s.transport == "TLS" {
			p.Port = 5061
		}
		s.proxy = hostPort(p)
	}
	s.registrar = sip.Uri{Scheme: reg.Scheme, Host: reg.Host, Port: reg.Port}
	if s.authUser == "" {
		s.authUser = aor.User
	}
	if s.cfg.Expires <= 0 {
		s.cfg.Expires = 3600
	}
	if !validInstanceID(sc.InstanceID) {
		return nil, fmt.Errorf("%w: instance ID %q: want a urn:uuid: URN", ErrInvalidURI, sc.InstanceID)
	}
	if s.cfg.KeepAlive <= 0 {
		s.cfg.KeepAlive = 30 * time.Second
	}
	return s, nil
}

// tlsConfig is the client TLS configuration: verification on unless the
// account's user turned it off, trusting RootCAs when given.
func (s *server) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: s.cfg.RootCAs, InsecureSkipVerify: s.cfg.SkipVerify} //nolint:gosec // per account, the user's choice
}

// viaServer says whether a request to target goes through the outbound
// proxy: anything in the account's domain or at the server's own address.
// Other addresses (a peer's IP and port) are reached directly.
func (s *server) viaServer(target sip.Uri) bool {
	if strings.EqualFold(target.Host, s.aor.Host) && (target.Port == 0 || target.Port == s.aor.Port) {
		return true
	}
	hp := hostPort(target)
	return hp == s.proxy || hp == hostPort(s.registrar)
}

// routeViaServer sends an out-of-dialog request for the server's domain
// to the outbound proxy (RFC 3261 8.1.2).
func (c *Client) routeViaServer(req *sip.Request) {
	if c.server != nil && c.server.viaServer(req.Recipient) {
		req.SetDestination(c.server.proxy)
	}
}

// contactAddr is the host and port our Contact names for transport: on
// UDP in server mode, the public address once the registrar has shown it.
func (c *Client) contactAddr(transport string) sip.Addr {
	if c.reg != nil && transport == "UDP" {
		return c.reg.contactAddr()
	}
	return c.localAddr()
}

func (c *Client) localAddr() sip.Addr {
	return sip.Addr{IP: net.ParseIP(c.contact.Host), Port: c.contact.Port, Hostname: c.contact.Host}
}

// newServerRoles builds what a client in server mode adds: the digest
// answers, the binding at the registrar, the publisher of our presence and
// the pres-rules at the server. startServerMode sets them going.
func (c *Client) newServerRoles() {
	s := c.server
	c.auth = newAuthenticator(s.authUser, s.cfg.Password)
	c.reg = newBinding(c, s, c.cfg.DisplayName, c.localAddr(), &c.opt)
	c.reg.onRegistered = c.afterRegistration
	c.pub = newPublisher(c.ctx, c, c.aor, c.contact.String(), c.Presence, c.opt.pubExpires)
	if s.cfg.BuddyList != "" {
		c.startList()
	}
	if s.cfg.XCAPRoot != "" {
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: s.tlsConfig(), Proxy: nil}}
		c.rules = newPresRules(s.cfg.XCAPRoot, aorString(c.aor), c.auth.cred, hc, &c.opt)
	}
}

// startServerMode starts registering and, once registered, publishing.
func (c *Client) startServerMode() { c.reg.start(c.ctx) }

// stopServerMode stops registering, then withdraws our presence document
// and our own binding. Bounded by ctx.
func (c *Client) stopServerMode(ctx context.Context) {
	c.reg.halt()
	c.pub.stop(ctx)
	c.reg.stop(ctx)
}

// afterRegistration restarts what the server may have lost while we were
// not registered (again: after a failure or a lost connection): the
// subscriptions through it, our publication, and the outbox.
func (c *Client) afterRegistration(again bool) {
	c.pub.post(pubInitial)
	if again {
		c.resubscribeViaServer()
	} else {
		c.subs.watchWatchers(c.aor)
	}
	c.pager.kick()
}

// publish sends our current presence to the server in the background;
// nothing in direct mode.
func (c *Client) publish(kind pubKind) { c.pub.post(kind) }

// resubscribeViaServer starts a new dialog for every subscription through
// the server: after a server restart the old ones are gone.
func (c *Client) resubscribeViaServer() { c.subs.restart(c.server.viaServer) }
