package sipclient

import (
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// dialogKey identifies a dialog from our side: the Call-ID and our own tag.
// Our tag alone is unique to us, and the remote tag may not be known yet
// (a NOTIFY can arrive before the SUBSCRIBE's 2xx).
type dialogKey struct{ callID, localTag string }

// dialog is the state RFC 3261 12 keeps for a SUBSCRIBE-created dialog.
// sipgo's dialog helpers are INVITE-shaped, so Parley keeps its own.
type dialog struct {
	callID       string
	localTag     string
	remoteTag    string
	localURI     *sip.Uri // our AOR, From of our requests: the user agent's own, shared by every dialog and never changed
	localName    string
	remoteURI    sip.Uri // peer's AOR, To of our requests
	remoteName   string
	remoteTarget sip.Uri   // peer's Contact: Request-URI of our requests
	routeSet     []sip.Uri // Route headers, in order
	localCSeq    uint32
	confirmed    bool // a 2xx came: the route set is fixed
	transport    string
	// source is the peer's address of an accepted TCP connection: requests
	// go back over it instead of opening a new one (sipgo issue #361).
	source string
}

func (d *dialog) key() dialogKey { return dialogKey{d.callID, d.localTag} }

// syncCSeq keeps the dialog's CSeq above what an authentication retry of
// req used. The caller holds the lock that guards d.
func (d *dialog) syncCSeq(req *sip.Request) {
	if cs := req.CSeq(); cs != nil && cs.SeqNo > d.localCSeq {
		d.localCSeq = cs.SeqNo
	}
}

// newDialog starts our side of a dialog we open with a request to target
// (UAC): a fresh Call-ID and tag, From us, the transport newRequest would
// choose.
func (c *Client) newDialog(target sip.Uri) *dialog {
	callID, tag := sip.GenerateTagN(24), sip.GenerateTagN(16)
	if c.dialogIDs != nil {
		callID, tag = c.dialogIDs()
	}
	return &dialog{
		callID: callID, localTag: tag,
		localURI: &c.aor, localName: c.cfg.DisplayName,
		remoteURI:    sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host, Port: target.Port},
		remoteTarget: target, transport: c.transportFor(target),
	}
}

// transportFor is the transport of a new request to target: the account's
// for server-bound requests, else what the URI or the config says.
func (c *Client) transportFor(target sip.Uri) string {
	if c.server != nil && c.server.viaServer(target) {
		return c.server.transport
	}
	return uriTransport(target, c.cfg.Transport)
}

// dialogRequest builds the next request in d, stamped and routed as ours.
func (c *Client) dialogRequest(d *dialog, method sip.RequestMethod) *sip.Request {
	req := d.request(method)
	c.finishRequest(req, d.transport)
	c.routeDialogRequest(d, req)
	return req
}

// request builds the next in-dialog request (RFC 3261 12.2.1.1) without
// what the user agent adds to all of its own. It moves the CSeq: the
// caller holds the lock that guards d.
func (d *dialog) request(method sip.RequestMethod) *sip.Request {
	d.localCSeq++
	req := sip.NewRequest(method, *d.remoteTarget.Clone())
	from := &sip.FromHeader{DisplayName: d.localName, Address: *d.localURI, Params: sip.NewParams()}
	from.Params.Add("tag", d.localTag)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: d.remoteURI, Params: sip.NewParams()}
	if d.remoteTag != "" {
		to.Params.Add("tag", d.remoteTag)
	}
	callID := sip.CallIDHeader(d.callID)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: d.localCSeq, MethodName: method})
	for _, r := range d.routeSet {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	return req
}

// routeDialogRequest sends over the peer's own TCP connection while it is
// open, else to the first route or the remote target.
func (c *Client) routeDialogRequest(d *dialog, req *sip.Request) {
	if len(d.routeSet) > 0 {
		r := d.routeSet[0]
		req.SetDestination(hostPort(r))
		return
	}
	if c.server != nil && c.server.viaServer(req.Recipient) {
		req.SetDestination(c.server.proxy)
		return
	}
	if d.source != "" && d.transport != "UDP" {
		if conn, _ := c.ua.TransportLayer().GetConnection(d.transport, d.source); conn != nil {
			conn.TryClose() // GetConnection took a reference
			req.SetDestination(d.source)
			return
		}
	}
}

func hostPort(u sip.Uri) string {
	port := u.Port
	if port == 0 {
		port = 5060
	}
	return net.JoinHostPort(u.Host, strconv.Itoa(port))
}

// routeSetFrom reads Record-Route: in order for the UAS, reversed for the
// UAC (RFC 3261 12.1.1, 12.1.2).
func routeSetFrom(m headerReader, reverse bool) []sip.Uri {
	var out []sip.Uri
	for _, h := range m.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			out = append(out, *rr.Address.Clone())
		}
	}
	if reverse {
		slices.Reverse(out)
	}
	return out
}

// contactURI returns the Contact address of m, ok false when there is none.
func contactURI(m headerReader) (sip.Uri, bool) {
	if h := m.GetHeader("Contact"); h != nil {
		if ch, ok := h.(*sip.ContactHeader); ok && ch.Address.Host != "" {
			return ownURI(ch.Address), true
		}
	}
	return sip.Uri{}, false
}

// ownURI copies u out of the message it was parsed from. A dialog keeps
// its peer's Contact for as long as it lives, and a substring of the
// header would keep the whole header's text alive with it.
func ownURI(u sip.Uri) sip.Uri {
	u.User, u.Password, u.Host = strings.Clone(u.User), strings.Clone(u.Password), strings.Clone(u.Host)
	u.UriParams, u.Headers = ownParams(u.UriParams), ownParams(u.Headers)
	return u
}

func ownParams(p sip.HeaderParams) sip.HeaderParams {
	if p == nil {
		return nil
	}
	c := make(sip.HeaderParams, len(p))
	for i, kv := range p {
		c[i] = sip.HeaderKV{K: strings.Clone(kv.K), V: strings.Clone(kv.V)}
	}
	return c
}

func tagOf(params sip.HeaderParams) string {
	t, _ := params.Get("tag")
	return t
}
