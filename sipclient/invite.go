package sipclient

import (
	"log/slog"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Parley takes no calls yet. Decisions taken here:
//   - Every INVITE that starts a call is declined at once with 480, the
//     code RFC 3261 21.4.18 gives for a callee reached but unavailable,
//     whose reason phrase "SHOULD indicate a more precise cause"; no 100
//     or 180 first (sipgo sends 100 Trying only after 200 ms without an
//     answer). A Warning 399 (20.43) says the same for the caller's user
//     and Allow lists what Parley does take (MESSAGE). No Retry-After:
//     calling again later would not help. No Reason header: RFC 3326
//     allows it only in responses whose code says so, and RFC 6432's
//     Q.850 causes in any response are for PSTN gateways.
//   - The 480 goes out before anything is stored: the caller does not
//     wait on the history, and the window for a CANCEL to overtake it is
//     as short as it can be.
//   - CANCEL (RFC 3261 9.2) is matched by sipgo's transaction layer: while
//     the INVITE's server transaction lives (over UDP until Timer I or H
//     ends it; over TCP only until onInvite returns, as sipgo ends
//     reliable transactions then), the CANCEL gets 200 and, as the 480 is
//     already final, changes nothing. One that matches no transaction
//     reaches onCancel and gets 481. sipgo's 200 carries a To tag of its
//     own, not the 480's (9.2 says it SHOULD be the same). Were a CANCEL
//     to beat the 480, sipgo would answer 487 itself (and, over UDP,
//     resend our 480 in its place afterwards); the call is a missed call
//     either way.
//   - The ACK for the 480 is absorbed by the INVITE's server transaction;
//     over TCP that transaction ends once answered, so the ACK reaches
//     onAck, which drops it as RFC 3261 17.2.1 would have.
//   - A body that cannot describe a session gets 415 first (8.2.3 puts
//     content processing before the method's own), and is no call.
//   - Parley holds no INVITE dialogs: a re-INVITE (a To tag) and a BYE get
//     481 (12.2.2, 15.1.2).

// reasonNoCalls is the 480's reason phrase: words the caller's phone can
// show as they are.
const reasonNoCalls = "Parley Takes No Calls"

// warningNoCalls is the Warning text (RFC 3261 20.43, code 399).
const warningNoCalls = "Parley takes no calls; send a message instead"

// callDesk is the INVITE role of a user agent that takes no calls: it
// declines each call at once, then keeps it in the chat history as a
// missed call and announces it. Whose calls are kept is the pager's policy
// (its screen), and they are stored through the pager's store, so a
// missed call is kept exactly as a message from the same peer would be.
// It holds no state of its own.
type callDesk struct {
	ua      seam
	pager   *pager
	log     *slog.Logger
	warning string // the Warning header's value, naming us as its agent
}

// newCallDesk prepares the INVITE role; agent is our host:port, named as
// the Warning's agent.
func newCallDesk(ua seam, p *pager, agent string, log *slog.Logger) *callDesk {
	return &callDesk{ua: ua, pager: p, log: log, warning: `399 ` + agent + ` "` + warningNoCalls + `"`}
}

// onInvite declines a call with 480 and records it as missed; a request
// in a dialog we do not have gets 481.
func (d *callDesk) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if tagOf(req.To().Params) != "" {
		d.ua.respond(req, tx, 481, "Call/Transaction Does Not Exist")
		return
	}
	if !sessionBody(req) {
		d.ua.respond(req, tx, 415, "Unsupported Media Type", "Accept", "application/sdp")
		return
	}
	d.ua.respond(req, tx, 480, reasonNoCalls, "Warning", d.warning, "Allow", allowMethods)
	d.missed(req)
}

// missed stores the declined call as a message row (ContentType
// ContentTypeMissedCall, no text), then announces it, once: an INVITE
// sent again after its transaction ended (same Call-ID, From tag, CSeq)
// is neither stored nor announced twice. A blocked caller's call, or a
// stranger's over the limit, is not kept.
func (d *callDesk) missed(req *sip.Request) {
	ev, err := received(req)
	if err != nil {
		d.ua.emit(Diagnostic{What: "call", URI: ev.From, Detail: "a call from an unusable address: " + err.Error()})
		return
	}
	if verdict := d.pager.screen(ev.Peer); verdict != admitted {
		d.log.Debug("missed call not kept", "from", ev.From, "blocked", verdict == senderBlocked)
		return
	}
	ev.Text, ev.ContentType = "", ContentTypeMissedCall
	id, dup, err := d.pager.keepIncoming(ev, &inbound{})
	switch {
	case err != nil:
		d.ua.emit(Diagnostic{What: "call", Peer: ev.Peer, URI: ev.From, Detail: "missed call not stored: " + err.Error()})
	case !dup:
		d.ua.emit(MissedCall{ID: id, Peer: ev.Peer, From: ev.From, FromName: ev.FromName, At: ev.At})
	}
}

// sessionBody says whether an INVITE's body could offer a session: none
// (the offer comes later), SDP, or a multipart body (SDP beside, say, the
// ISUP a PSTN gateway adds). Anything else gets 415 (RFC 3261 8.2.3;
// RFC 4475 3.3.6 expects it) before the call is even considered.
func sessionBody(req *sip.Request) bool {
	mt := mediaType(req)
	return len(req.Body()) == 0 || mt == "application/sdp" || strings.HasPrefix(mt, "multipart/")
}

// onCancel answers a CANCEL that matched no INVITE transaction (sipgo
// answers those that do).
func (d *callDesk) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	d.ua.respond(req, tx, 481, "Call/Transaction Does Not Exist")
}

// onBye answers a BYE: we never hold a call, so no dialog matches.
func (d *callDesk) onBye(req *sip.Request, tx sip.ServerTransaction) {
	d.ua.respond(req, tx, 481, "Call/Transaction Does Not Exist")
}

// onAck drops an ACK that matched no transaction: the ACK for a 480 sent
// over TCP, whose transaction ended with the answer. An ACK is never
// answered.
func (d *callDesk) onAck(req *sip.Request, _ sip.ServerTransaction) {
	d.log.Debug("ACK absorbed", "source", req.Source()) // not gated: read nothing else
}
