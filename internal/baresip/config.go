package baresip

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/internal/freeport"
)

// DefaultModulePath is where Debian installs the baresip modules.
const DefaultModulePath = "/usr/lib/baresip/modules"

// Options configure one baresip peer. The zero value is usable.
type Options struct {
	// User is the user part of the AOR (default "baresip").
	User string
	// ListenAddr is the loopback host:port baresip listens on for both
	// UDP and TCP; empty picks a free port on 127.0.0.1.
	ListenAddr string
	// Transport is "udp" (default) or "tcp". With "tcp" the account and
	// every contact URI without a transport parameter get transport=tcp
	// (which SUBSCRIBE honours; MESSAGE is always sent over UDP).
	Transport string
	// Contacts are URIs (or name-addrs) baresip watches with presence=p2p.
	Contacts []string
	// MessageContacts are extra contacts without presence, only so that
	// SendMessage can reach them.
	MessageContacts []string
	// Status is the initial own status, "online" (default) or "offline".
	// "unknown" leaves baresip's initial state, which NOTIFYs <basic>?</basic>.
	Status string
	// Binary is the baresip executable (default "baresip" from PATH).
	Binary string
	// ModulePath defaults to DefaultModulePath.
	ModulePath string
	// Timeout bounds start-up, each control command and SendMessage's wait
	// for the final response (default 10s).
	Timeout time.Duration
	// MaxLifetime is passed as -t so a leaked process quits (default 10m).
	MaxLifetime time.Duration
}

func (o *Options) setDefaults() error {
	if o.User == "" {
		o.User = "baresip"
	}
	o.Transport = strings.ToLower(o.Transport)
	switch o.Transport {
	case "":
		o.Transport = "udp"
	case "udp", "tcp":
	default:
		return fmt.Errorf("baresip: transport %q: want udp or tcp", o.Transport)
	}
	if o.Status == "" {
		o.Status = "online"
	}
	if o.Binary == "" {
		o.Binary = "baresip"
	}
	if o.ModulePath == "" {
		o.ModulePath = DefaultModulePath
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = 10 * time.Minute
	}
	return nil
}

// checkLoopback refuses listen addresses that are not loopback: these
// peers must never talk to the network.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("baresip: listen address %q: %w", hostport, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("baresip: listen address %q is not a loopback IP", hostport)
	}
	return nil
}

// freePort returns a port on host that is free for both TCP and UDP, with
// the next port free for TCP too: baresip's sip_listen also binds SIP over
// TLS there, and fails to start when it is taken. See internal/freeport
// for why nothing else takes them before baresip binds them.
func freePort(host string) (int, error) {
	p, err := freeport.PickOn(host)
	if err != nil {
		return 0, fmt.Errorf("baresip: %w", err)
	}
	return p, nil
}

// FreeListenAddr returns "127.0.0.1:PORT" with a port currently free for
// both UDP and TCP, for peers that must know each other's address up front.
func FreeListenAddr() (string, error) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// layout is what one start attempt needs to know about its files and ports.
type layout struct {
	dir      string
	sipAddr  string // host:port
	ctrlAddr string // host:port
	aor      string // sip:user@host:port[;transport=tcp]
	contacts []string
}

func (o *Options) accountLine(l *layout) string {
	return "<" + l.aor + ">;regint=0;pubint=0\n"
}

// contactLine writes one contact as `"name" <uri>;presence=...`.
func (o *Options) contactLine(uri, presence string) string {
	inner := strings.TrimSpace(uri)
	display := ""
	if i := strings.IndexByte(inner, '<'); i >= 0 {
		display = strings.TrimSpace(inner[:i])
		inner = strings.TrimSuffix(strings.TrimSpace(inner[i+1:]), ">")
	}
	if o.Transport == "tcp" && !strings.Contains(strings.ToLower(inner), ";transport=") {
		inner += ";transport=tcp"
	}
	if display == "" {
		user := strings.TrimPrefix(aorKey(inner), "sip:")
		user, _, _ = strings.Cut(user, "@")
		display = strconv.Quote(user)
	}
	return display + " <" + inner + ">;presence=" + presence + "\n"
}

func (o *Options) configText(l *layout) string {
	return strings.Join([]string{
		"# written by github.com/parley-im/parley/internal/baresip",
		"poll_method\tepoll",
		"sip_listen\t" + l.sipAddr,
		"dns_server\t127.0.0.1:53",
		"audio_player\tnone",
		"audio_source\tnone",
		"audio_alert\tnone",
		"module_path\t" + o.ModulePath,
		"module_tmp\taccount.so",
		"module_app\tcontact.so",
		"module_app\tmenu.so",
		"module_app\tpresence.so",
		"module_app\tctrl_tcp.so",
		"ctrl_tcp_listen\t" + l.ctrlAddr,
		"",
	}, "\n")
}

// writeFiles writes config, accounts and contacts into l.dir and fills
// l.contacts with the contact URIs in file order (the contact module's
// list order, which SendMessage relies on).
func (o *Options) writeFiles(l *layout) error {
	var contacts strings.Builder
	l.contacts = l.contacts[:0]
	add := func(uris []string, presence string) {
		for _, u := range uris {
			line := o.contactLine(u, presence)
			contacts.WriteString(line)
			l.contacts = append(l.contacts, aorKey(line[strings.IndexByte(line, '<'):]))
		}
	}
	add(o.Contacts, "p2p")
	add(o.MessageContacts, "none")
	files := map[string]string{
		"config":   o.configText(l),
		"accounts": o.accountLine(l),
		"contacts": contacts.String(),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(l.dir, name), []byte(text), 0o600); err != nil {
			return fmt.Errorf("baresip: write %s: %w", name, err)
		}
	}
	return nil
}

// ctrlPort picks the ctrl_tcp port: free now, and neither the SIP port
// nor the TLS one after it, which are released until baresip binds them and
// so can come back from the kernel (CI saw ctrl_tcp lose its port to SIP).
func ctrlPort(host, sipPort string) (int, error) {
	sport, _ := strconv.Atoi(sipPort)
	for attempt := 0; attempt < 20; attempt++ {
		port, err := freePort(host)
		if err != nil {
			return 0, err
		}
		if port < sport-1 || port > sport+1 {
			return port, nil
		}
	}
	return 0, fmt.Errorf("baresip: no ctrl_tcp port on %s apart from SIP port %s", host, sipPort)
}

// newLayout picks ports and computes the AOR for one start attempt.
func (o *Options) newLayout(dir string) (*layout, error) {
	l := &layout{dir: dir, sipAddr: o.ListenAddr}
	host := "127.0.0.1"
	if l.sipAddr == "" {
		port, err := freePort(host)
		if err != nil {
			return nil, err
		}
		l.sipAddr = net.JoinHostPort(host, strconv.Itoa(port))
	}
	if err := checkLoopback(l.sipAddr); err != nil {
		return nil, err
	}
	host, sport, _ := net.SplitHostPort(l.sipAddr)
	cport, err := ctrlPort(host, sport)
	if err != nil {
		return nil, err
	}
	l.ctrlAddr = net.JoinHostPort(host, strconv.Itoa(cport))
	l.aor = "sip:" + o.User + "@" + l.sipAddr
	if o.Transport == "tcp" {
		l.aor += ";transport=tcp"
	}
	return l, nil
}
