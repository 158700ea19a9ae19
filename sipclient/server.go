package sipclient

import (
	"crypto/x509"
	"time"
)

// ServerConfig makes a Client the user agent of one account at a SIP
// server: it registers AOR at Registrar, sends every request through the
// registrar as outbound proxy, answers digest challenges, and PUBLISHes its
// own presence. Peers can still subscribe to it directly.
type ServerConfig struct {
	AOR       string // sip:alice@example.test or sips:...
	Registrar string // e.g. sip:127.0.0.1:5070;transport=tcp; "" means the AOR's domain
	AuthUser  string // digest username; "" means the AOR's user
	Password  string
	Transport string // "udp", "tcp" or "tls"; "" takes Registrar's transport param, else udp
	Expires   int    // registration interval asked for, seconds (default 3600)

	// RootCAs, when set, is the only set of CAs trusted for TLS (tests
	// trust their own CA this way). Nil means the system's roots.
	RootCAs *x509.CertPool
	// SkipVerify turns certificate checks off for this account alone,
	// when its user chose so. Never set by default.
	SkipVerify bool
	// KeepAlive is the CRLF keepalive period on TCP/TLS and how often a
	// dropped connection is noticed (default 30 s).
	KeepAlive time.Duration
}
