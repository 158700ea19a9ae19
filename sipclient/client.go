package sipclient

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/internal/fifo"
)

// Client is one SIP user agent: watcher, presentity and pager at once.
type Client struct {
	opt    options
	cfg    Config
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	sipc   *sipgo.Client
	events *fifo.Queue[Event] // unbounded: handlers never wait on a slow UI

	aor       sip.Uri // sip:user@host:port, or the account's AOR in server mode
	server    *server // nil in direct mode
	auth      *authenticator
	reg       *binding   // server mode: our binding at the registrar
	pub       *publisher // server mode: our presence at the server
	rules     *presRules
	pager     *pager  // MESSAGE: the chat store and the outbox
	contact   sip.Uri // where peers reach us
	listeners []net.Addr
	closers   []io.Closer    // the listening sockets
	untrace   func()         // stops WithTrace's printing; nil without it
	udpLaddr  sip.Addr       // UDP requests leave from the listening socket
	udpConn   net.PacketConn // answers what sipgo cannot parse (unparsed.go)
	stun      stunPings      // flow keep-alives awaiting an answer (outbound_stun.go)
	reads     streamReads    // when bytes last came in on each stream connection (outbound_pong.go)

	ctx    context.Context // ends at Close; bounds background work
	cancel context.CancelFunc
	wg     sync.WaitGroup

	subs       *subscriptions // our watches on others' presence (watcher.go)
	presentity *presentity    // us as others watch us (presentity.go)
	calls      *callDesk      // calls declined and kept as missed (invite.go)

	mu        sync.Mutex
	closed    bool
	closeOnce sync.Once

	// dialogIDs, when set by a test, supplies the Call-ID and tag of the
	// next subscription so recorded NOTIFYs can be replayed byte for byte.
	dialogIDs func() (callID, tag string)
}

// New creates a client and starts listening on cfg.ListenAddr (UDP and TCP
// on the same port).
func New(cfg Config, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, f := range opts {
		f(&o)
	}
	if err := validateConfig(&cfg); err != nil {
		return nil, err
	}
	var srvCfg *server
	if cfg.Server != nil {
		var err error
		if srvCfg, err = parseServer(*cfg.Server); err != nil {
			return nil, err
		}
	}
	c := &Client{server: srvCfg,
		opt: o, cfg: cfg, events: fifo.New[Event](),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.pager = newPager(c.ctx, c, &c.opt)
	if err := c.start(); err != nil {
		c.cancel()
		c.events.Abandon()
		return nil, err
	}
	if c.opt.trace != nil {
		c.untrace = sipTrace.add(c.opt.trace)
	}
	if c.server != nil {
		c.newServerRoles() // before anything runs that sends
	}
	c.ResumeOutbox() // what a previous run left pending goes out now
	if c.server != nil {
		c.startServerMode()
	}
	return c, nil
}

func validateConfig(cfg *Config) error {
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.User == "" {
		cfg.User = defaultUser(cfg.Server)
	}
	if !validUser(cfg.User) || strings.ContainsAny(cfg.DisplayName, "\r\n\x00<>\"") {
		return fmt.Errorf("%w: user %q or display name %q", ErrInvalidText, cfg.User, cfg.DisplayName)
	}
	switch strings.ToLower(cfg.Transport) {
	case "", "udp":
		cfg.Transport = "UDP"
	case "tcp":
		cfg.Transport = "TCP"
	default:
		return fmt.Errorf("sipclient: transport %q: want udp or tcp", cfg.Transport)
	}
	if cfg.Presence.Status == "" {
		cfg.Presence.Status = StatusAvailable
	}
	return nil
}

// defaultUser names our contact when Config.User is empty: the account's
// user in server mode (when it can stand in a contact), else "parley".
func defaultUser(sc *ServerConfig) string {
	if sc != nil {
		if u, err := ParseURI(sc.AOR); err == nil && u.User != "" && validUser(u.User) {
			return u.User
		}
	}
	return "parley"
}

// validUser: a user part we put in our own URIs without escaping.
func validUser(user string) bool {
	return user != "" && !strings.ContainsAny(user, " @:;\r\n\x00<>\"")
}

func (c *Client) start() error {
	uaOpts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent(c.opt.userAgentName),
		sipgo.WithUserAgentParser(newParser()),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(c.sipgoLogger()),
			sip.WithTransportLayerReadFilter(c.screenDatagram)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(c.sipgoLogger()),
			sip.WithTransactionLayerUnhandledResponseHandler(c.onLateResponse)),
	}
	if c.server != nil {
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(c.server.tlsConfig()))
	}
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return fmt.Errorf("sipclient: user agent: %w", err)
	}
	c.ua = ua
	tcpL, udpC, err := listenPair(c.cfg.ListenAddr)
	if err != nil {
		ua.Close()
		return err
	}
	c.listeners = []net.Addr{udpC.LocalAddr(), tcpL.Addr()}
	c.closers = []io.Closer{tcpL, udpC}
	host, port := splitHostPort(tcpL.Addr())
	c.setIdentity(host, port)
	uhost, uport := splitHostPort(udpC.LocalAddr())
	c.udpLaddr = sip.Addr{IP: net.ParseIP(uhost), Port: uport}
	c.udpConn = udpC
	return c.serve(tcpL, udpC, host, port)
}

func (c *Client) serve(tcpL net.Listener, udpC net.PacketConn, host string, port int) error {
	srv, err := sipgo.NewServer(c.ua, sipgo.WithServerLogger(c.sipgoLogger()))
	if err != nil {
		return fmt.Errorf("sipclient: server: %w", err)
	}
	copts := []sipgo.ClientOption{sipgo.WithClientHostname(host), sipgo.WithClientPort(port),
		sipgo.WithClientLogger(c.sipgoLogger())}
	if !c.opt.noRport {
		// ;rport in every Via (RFC 3581): behind a NAT the server answers
		// the address and port it saw, not the private ones in the Via.
		copts = append(copts, sipgo.WithClientNAT())
	}
	sipc, err := sipgo.NewClient(c.ua, copts...)
	if err != nil {
		return fmt.Errorf("sipclient: client: %w", err)
	}
	c.srv, c.sipc = srv, sipc
	c.subs = newSubscriptions(c.ctx, c, &c.opt, c.setRule)
	c.presentity = newPresentity(c.ctx, c, c.aor, c.cfg.DisplayName, c.contact.String(), c.cfg.Presence, &c.opt)
	c.calls = newCallDesk(c, c.pager, hostPort(c.contact), c.opt.log)
	c.routes()
	c.goServe(func() error { return srv.ServeTCP(gatherListener{tcpL}) })
	c.goServe(func() error { return srv.ServeUDP(udpC) })
	return c.awaitUDPListener(udpC.LocalAddr().String())
}

// awaitUDPListener waits until sipgo has registered the UDP socket, so the
// first request can be sent from it (UDP requests leave from the listening
// port, so peers and NATs see one address).
func (c *Client) awaitUDPListener(addr string) error {
	for range 500 {
		if conn, err := c.ua.TransportLayer().GetConnection("udp", addr); err == nil {
			conn.TryClose()
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("sipclient: UDP listener %s did not start", addr)
}

func (c *Client) goServe(f func() error) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := f(); err != nil && c.ctx.Err() == nil {
			c.opt.log.Error("listener stopped", "error", err)
		}
	}()
}

func (c *Client) routes() {
	c.srv.OnSubscribe(c.guard(c.presentity.onSubscribe))
	c.srv.OnNotify(c.guard(c.subs.onNotify))
	c.srv.OnMessage(c.guard(c.pager.onMessage))
	c.srv.OnOptions(c.guard(c.onOptions))
	c.srv.OnInvite(c.guard(c.calls.onInvite))
	c.srv.OnCancel(c.guard(c.calls.onCancel))
	c.srv.OnBye(c.guard(c.calls.onBye))
	c.srv.OnAck(c.calls.onAck) // never answered, so not guarded
	c.srv.OnNoRoute(c.guard(c.onUnsupported))
}

func (c *Client) setIdentity(host string, port int) {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = reachableHost()
	}
	c.aor = sip.Uri{Scheme: "sip", User: c.cfg.User, Host: host, Port: port}
	if c.server != nil {
		c.aor = c.server.aor
	}
	c.contact = sip.Uri{Scheme: "sip", User: c.cfg.User, Host: host, Port: port}
	if c.cfg.Transport == "TCP" {
		c.contact.UriParams = sip.NewParams()
		c.contact.UriParams.Add("transport", "tcp")
	}
}

// reachableHost picks an address peers can reach when we listen on all
// interfaces: the first non-loopback IPv4, else loopback.
func reachableHost() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return "127.0.0.1"
}

// listenPair opens TCP and UDP on the same port. With port 0 it lets the
// kernel choose the TCP port and retries if that UDP port is taken.
func listenPair(addr string) (net.Listener, net.PacketConn, error) {
	var lastErr error
	for range 20 {
		tl, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("sipclient: listen tcp %s: %w", addr, err)
		}
		uc, err := net.ListenPacket("udp", tl.Addr().String())
		if err == nil {
			return tl, uc, nil
		}
		tl.Close()
		lastErr = err
		if _, p, _ := net.SplitHostPort(addr); p != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("sipclient: listen udp %s: %w", addr, lastErr)
}

func splitHostPort(a net.Addr) (string, int) {
	h, p, _ := net.SplitHostPort(a.String())
	n, _ := strconv.Atoi(p)
	return h, n
}

// Events is the stream of everything that happens. It is closed after Close.
func (c *Client) Events() <-chan Event { return c.events.Out() }

// AOR is our own address in direct mode, e.g. sip:alice@127.0.0.1:5062.
func (c *Client) AOR() string { return c.aor.String() }

// ListenAddrs are the bound UDP and TCP addresses.
func (c *Client) ListenAddrs() []string {
	out := make([]string, 0, len(c.listeners))
	for _, a := range c.listeners {
		out = append(out, a.Network()+":"+a.String())
	}
	return out
}

func (c *Client) emit(e Event) { c.events.Push(e) }

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close unsubscribes from every contact, ends every watcher's subscription
// with a final NOTIFY, stops listening and closes the event stream. It is
// bounded in time and safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.pager.halt()
		c.subs.stop(ctx)
		c.presentity.stop(ctx, "deactivated")
		if c.server != nil {
			c.stopServerMode(ctx)
		}
		c.cancel()
		for _, l := range c.closers {
			l.Close()
		}
		c.ua.Close()
		c.wg.Wait()
		c.pager.wait()
		if c.untrace != nil {
			c.untrace()
		}
		c.events.Close()
	})
	return nil
}
