// Package baresip runs the Debian baresip 1.0 user agent as a real
// third-party SIP peer for loopback interoperability tests.
//
// It owns everything needed to drive one baresip process from a Go test:
// a throw-away config directory (config, accounts, contacts), the process
// itself (started with -s so every SIP message is traced to its output),
// the ctrl_tcp control connection (netstring-framed JSON commands), and a
// parser that turns the SIP trace into structured messages.
//
// Peers are direct (peer-to-peer): no registrar, no PUBLISH. The account has
// regint=0 and pubint=0; contacts marked presence=p2p are SUBSCRIBEd to
// directly, and the presence module answers incoming SUBSCRIBEs itself.
//
// What baresip 1.0 can and cannot do (see the package tests for proof):
//   - own status: only online (basic open) and offline (basic closed); the
//     NOTIFY body always carries an empty <rpid:activities/>, so away, busy
//     and so on cannot be expressed. Before the first status command baresip
//     sends <basic>?</basic>, which is why Start sets "online" by default.
//   - view of a contact: Online, Offline, Busy or Unknown. A NOTIFY with
//     <rpid:away/> is shown as Offline, <rpid:busy/> and <rpid:on-the-phone/>
//     as Busy; the rpid prefix must be literally "rpid:" and the
//     Content-Type exactly application/pidf+xml (parameters give 415).
//   - MESSAGE: text/plain only (with or without charset); other types get
//     415. Outgoing MESSAGE goes to the "current contact" of the contact
//     module, whose URI loses its parameters, so it is always sent over UDP
//     even when the contact says transport=tcp.
//
// Start skips the test only when the baresip binary is not installed.
package baresip
