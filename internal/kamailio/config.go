package kamailio

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
	"time"

	"github.com/parley-im/parley/internal/freeport"
)

// Digest algorithms for Options.DigestAlgorithm.
const (
	MD5    = "MD5"
	SHA256 = "SHA-256"
)

// Defaults for Options.
const (
	DefaultRealm     = "parley.test"
	DefaultSchemaDir = "/usr/share/kamailio/db_sqlite"
)

//go:embed kamailio.cfg
var cfgText string

var cfgTemplate = template.Must(template.New("kamailio.cfg").Parse(cfgText))

// Options configure one server. The zero value is usable.
type Options struct {
	// Users maps user names to passwords; each gets a subscriber row.
	Users map[string]string
	// Realm is the digest realm and the AOR domain (default DefaultRealm).
	Realm string
	// DigestAlgorithm is MD5 (default) or SHA256. Kamailio 5.6 offers one
	// algorithm per instance (the auth module's "algorithm" parameter).
	// With MD5 the challenge carries algorithm=MD5.
	DigestAlgorithm string
	// PresenceAuthorization sets presence_xml's force_active to 0, so a
	// watcher without a pres-rules document stays pending and
	// presence.winfo matters; the presentity lets watchers in (or blocks
	// them) by PUTting that document to the XCAP server (Server.XCAPRoot).
	// The default (false) is force_active 1: every subscription is active
	// at once and stays so: pres-rules documents are still stored and
	// served, but their rules are ignored ("block" included).
	PresenceAuthorization bool
	// PersistRegistrations keeps the location table in SQLite
	// (usrloc db_mode 1, write-through), so bindings survive Restart. By
	// default they live in memory only and a restart forgets them. Like
	// PersistPresence it adds writes that can meet "database is locked"
	// (REGISTER answered 500) under concurrent load.
	PersistRegistrations bool
	// PersistPresence keeps PUBLISHed state in SQLite too (publ_cache 1),
	// so it survives Restart. By default it lives in memory (publ_cache 2):
	// Kamailio's SQLite driver sets no busy timeout, and a PUBLISH whose
	// write meets another process's write fails with 500 ("database is
	// locked"). Subscriptions are always written back to SQLite by a timer.
	PersistPresence bool
	// RefusePublish makes the server answer PUBLISH with 489 Bad Event,
	// as a registrar without a presence server does, so clients must fall
	// back to answering their watchers directly.
	RefusePublish bool
	// XCAPLists opens the XCAP server to resource-lists and
	// rls-services documents (RFC 4826) besides pres-rules: a user's
	// roster and buddy lists, under the same rules (digest, own XUI only,
	// ETags and conditional requests).
	XCAPLists bool
	// RLS loads the resource list server (rls, with pua for its
	// back-end subscriptions): a SUBSCRIBE with Supported: eventlist to
	// a service URI in the subscriber's rls-services document watches
	// every resource of its list in one dialog (RFC 4662). Implies
	// XCAPLists, which stores those documents.
	RLS bool
	// MinExpires is the smallest REGISTER/SUBSCRIBE expiry granted
	// (default 5 s, so tests can use short registrations).
	MinExpires int
	// Debug is Kamailio's log level, -5..3 (default 2: info).
	Debug int
	// Binary is the kamailio executable (default "kamailio" from PATH).
	Binary string
	// ModulePath defaults to Debian's /usr/lib/<multiarch>/kamailio/modules;
	// SchemaDir to DefaultSchemaDir.
	ModulePath string
	SchemaDir  string

	// NAT and SIP Outbound (issue 13, part A); kept apart from the
	// presence/XCAP/RLS options above.
	//
	// NoForceRport adds a second UDP listener (Server.NATAddr) where the
	// script neither calls force_rport() nor fix_nated_register(): it
	// honours a client's own ;rport (RFC 3581) and nothing else, as a plain
	// RFC 3261 server does, so a client behind a NAT (natrelay) works
	// only if its own NAT handling does.
	NoForceRport bool
	// Outbound turns on RFC 5626 and RFC 5627 in the registrar:
	// outbound_mode 1 (a REGISTER with Supported: outbound and reg-id gets
	// Require: outbound and Flow-Timer), GRUUs (pub-gruu, temp-gruu) for a
	// Contact with +sip.instance, and the stun module answering STUN
	// binding requests on the SIP UDP ports (flow keep-alives, 4.4.2).
	Outbound bool
	// FlowTimer is the Flow-Timer the registrar sends with Outbound
	// (default 5 s, so keep-alive tests run in seconds).
	FlowTimer int

	// StartTimeout bounds start-up until both ports answer OPTIONS
	// (default 15 s); StopTimeout bounds SIGTERM before SIGKILL (5 s).
	StartTimeout time.Duration
	StopTimeout  time.Duration
}

func (o *Options) setDefaults() error {
	if o.Realm == "" {
		o.Realm = DefaultRealm
	}
	switch o.DigestAlgorithm {
	case "", "md5", MD5:
		o.DigestAlgorithm = MD5
	case "sha-256", "SHA256", SHA256:
		o.DigestAlgorithm = SHA256
	default:
		return fmt.Errorf("kamailio: digest algorithm %q: want %s or %s", o.DigestAlgorithm, MD5, SHA256)
	}
	if o.MinExpires <= 0 {
		o.MinExpires = 5
	}
	if o.Debug == 0 {
		o.Debug = 2
	}
	if o.Binary == "" {
		o.Binary = "kamailio"
	}
	if o.ModulePath == "" {
		o.ModulePath = findModulePath()
	}
	if o.SchemaDir == "" {
		o.SchemaDir = DefaultSchemaDir
	}
	if o.FlowTimer <= 0 {
		o.FlowTimer = 5
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 15 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 5 * time.Second
	}
	return nil
}

// findModulePath returns the first Debian module directory holding tm.so,
// or the amd64 one (so error messages name a real-looking path).
func findModulePath() string {
	dirs, _ := filepath.Glob("/usr/lib/*/kamailio/modules")
	dirs = append(dirs, "/usr/lib/kamailio/modules")
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "tm.so")); err == nil {
			return d
		}
	}
	return "/usr/lib/x86_64-linux-gnu/kamailio/modules"
}

// cfgData is what the template needs; the fields are the placeholders in
// kamailio.cfg.
type cfgData struct {
	Debug        int
	SIPPort      int
	TLSPort      int
	Realm        string
	ModulePath   string
	DBFile       string
	DBURL        string
	CertFile     string
	KeyFile      string
	CAFile       string
	Algorithm    string
	Secret       string
	ForceActive  int
	UsrlocDBMode int
	MinExpires   int
	TCPLifetime  int
	JournalMode  string
	PublCache    int
	SubsDBMode   int
	RefusePub    bool

	// NAT and Outbound (issue 13, part A).
	NoForceRport bool
	NATPort      int
	Outbound     bool
	FlowTimer    int
	XCAPLists    bool
	RLS          bool
	RLSTextURL   string
}

// journalMode is the SQLite journal mode of the database, set both in the
// file and through db_sqlite's db_set_journal_mode.
const journalMode = "WAL"

func newCfgData(o *Options, f files, sipPort, tlsPort int, secret string) cfgData {
	d := cfgData{
		Debug:       o.Debug,
		SIPPort:     sipPort,
		TLSPort:     tlsPort,
		Realm:       o.Realm,
		ModulePath:  o.ModulePath,
		DBFile:      f.db,
		DBURL:       "sqlite://" + f.db,
		CertFile:    f.cert,
		KeyFile:     f.key,
		CAFile:      f.ca,
		Algorithm:   o.DigestAlgorithm,
		Secret:      secret,
		ForceActive: 1,
		MinExpires:  o.MinExpires,
		TCPLifetime: 3605,
		JournalMode: journalMode,
		RefusePub:   o.RefusePublish,

		NoForceRport: o.NoForceRport,
		Outbound:     o.Outbound,
		FlowTimer:    o.FlowTimer,
		XCAPLists:    o.XCAPLists || o.RLS,
		RLS:          o.RLS,
		RLSTextURL:   "text://" + filepath.Join(f.dir, rlsTextDir),
	}
	if o.PresenceAuthorization {
		d.ForceActive = 0
	}
	if o.PersistRegistrations {
		d.UsrlocDBMode = 1
	}
	// Subscriptions are written back by a timer (subs_db_mode 2); with
	// subs_db_mode 0 and publ_cache 2 a presence.winfo SUBSCRIBE crashes
	// Kamailio 5.6.3 (SIGSEGV).
	d.PublCache, d.SubsDBMode = 2, 2
	if o.PersistPresence {
		d.PublCache = 1
	}
	return d
}

func renderConfig(d cfgData) ([]byte, error) {
	var b bytes.Buffer
	if err := cfgTemplate.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("kamailio: render config: %w", err)
	}
	return b.Bytes(), nil
}

func newSecret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("kamailio: secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// freePorts returns a port free on 127.0.0.1 for both UDP and TCP, and a
// second, different one free for TCP (the TLS listener).
func freePorts() (sip, tls int, err error) {
	if sip, err = freePort(); err != nil {
		return 0, 0, err
	}
	if tls, err = freePort(); err != nil {
		return 0, 0, err
	}
	return sip, tls, nil
}

// freePort returns a port free on 127.0.0.1 for TCP and UDP, never one
// handed out before in this process (so never the SIP or TLS port); see
// internal/freeport for why nothing else takes it before Kamailio binds it.
func freePort() (int, error) {
	p, err := freeport.Pick()
	if err != nil {
		return 0, fmt.Errorf("kamailio: %w", err)
	}
	return p, nil
}
