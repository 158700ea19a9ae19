// Package sipclient is Parley's SIP core: one user agent (on sipgo) that
// registers, watches contacts' presence (SUBSCRIBE/NOTIFY), acts as the
// user's presentity, and sends and receives instant messages (MESSAGE).
//
// Every incoming request passes one gate first (gate.go; unparsed.go for
// datagrams sipgo cannot parse), which answers malformed ones with the
// code RFC 3261 gives, so no role sees them.
//
// Each SIP role is a type that owns its state and its lock, built on a
// narrow seam (seam.go: build a request, send it with authentication,
// answer one, emit an event) and tested through a fake of it beside its
// file: the registrar binding (registration.go, keepalive.go; behind a
// NAT with rport, and with SIP Outbound and GRUU where the server offers
// them: outbound.go, outbound_stun.go, gruu.go), the
// publisher (publication.go), our subscriptions to contacts (watcher.go,
// notify.go, watcherinfo.go), the presentity with its watchers
// (presentity.go) and the call desk, which declines calls and keeps them
// as missed (invite.go). Client composes them and routes sipgo's handlers.
//
// The pager (pager.go, outbox.go, inbox*.go) speaks the IM dialect real
// clients use: bodies are decoded first (Content-Encoding, then
// message/cpim), typing notices go both ways (typing.go), receipts too
// (receipts.go), and what each peer showed it takes is remembered
// (peercaps.go): CPIM, receipts and typing notices go only to peers that
// showed them, everyone else still gets plain text/plain.
//
// Who a peer is, is an identity.ID; what the user decided about people
// (contacts, blocks, who may watch) is the Book the client is given, which
// the core asks and never copies.
//
// It owns all protocol state and exposes it as a small stream of typed
// events; callers (the desktop UI, parley-cli) never see SIP messages.
package sipclient
