// Package kamailio runs a real Kamailio 5.6 on 127.0.0.1 for tests: a
// registrar, presence server (PUBLISH/SUBSCRIBE/NOTIFY for the presence and
// presence.winfo events), MESSAGE relay with an offline store (msilo) and
// XCAP server (RFC 4825) for pres-rules documents (RFC 5025) over HTTP on
// the SIP TCP port (Server.XCAPRoot, Server.PresRulesURL), with which a
// presentity authorizes watchers when Options.PresenceAuthorization is set.
// Options.Outbound turns on SIP Outbound and GRUU in the registrar (one
// server as edge proxy and registrar: no Path, no outbound module) and
// STUN on the UDP ports; Options.NoForceRport adds a UDP listener
// (Server.NATAddr) that gives clients no NAT help, for tests behind
// internal/natrelay.
//
// It owns the server side only: the embedded kamailio.cfg template, the
// SQLite database (schema from the Debian package's db_sqlite scripts, one
// subscriber row per test user), the self-signed CA and server certificate
// for the TLS listener, and the process (start, readiness check, restart on
// the same ports, stop). Tests talk to it with their own SIP stack.
//
// Start fails the test, with a pointer to scripts/test.sh, when Kamailio or
// its presence, SQLite or TLS modules are not installed.
package kamailio
