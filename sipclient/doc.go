// Package sipclient is Parley's SIP core: one user agent (on sipgo) that
// registers, watches contacts' presence (SUBSCRIBE/NOTIFY), acts as the
// user's presentity, and sends and receives instant messages (MESSAGE).
// Every incoming request passes one gate first (gate.go; unparsed.go for
// datagrams sipgo cannot parse), which answers malformed ones with the
// code RFC 3261 gives, so no role sees them.
//
// It owns all protocol state and exposes it as a small stream of typed
// events; callers (the desktop UI, parley-cli) never see SIP messages.
package sipclient
