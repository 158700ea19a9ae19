package sipclient

import "github.com/emiago/sipgo/sip"

// contactFor is the Contact of one of our requests: this device's public
// GRUU (RFC 5627 4.4) on a SUBSCRIBE, NOTIFY or MESSAGE through the
// server, once the registrar gave one, else our own address. A GRUU
// reaches this device and no other of the user's, wherever the NAT has
// moved it. Without a GRUU, a SUBSCRIBE over an Outbound flow carries
// ;ob in its Contact. The REGISTER must name the address itself; PUBLISH and
// OPTIONS make no dialog, and a PUBLISH over UDP is near the 1500 bytes
// sipgo allows a datagram.
func (c *Client) contactFor(req *sip.Request, transport string) *sip.ContactHeader {
	if !gruuMethod(req.Method) || c.reg == nil || !c.server.viaServer(req.Recipient) {
		return c.contactHeader(transport)
	}
	if g := c.reg.gruu(); g != nil {
		return &sip.ContactHeader{Address: *g.Clone()}
	}
	ct := c.contactHeader(transport)
	if f := c.reg.flow.Load(); f != nil && f.outbound && req.Method == sip.SUBSCRIBE {
		// No GRUU but a flow: ;ob asks for the rest of the dialog over
		// that flow (RFC 5626 4.3, 5.4).
		if ct.Address.UriParams == nil {
			ct.Address.UriParams = sip.NewParams()
		}
		ct.Address.UriParams.Add("ob", "")
	}
	return ct
}

func gruuMethod(m sip.RequestMethod) bool {
	return m == sip.SUBSCRIBE || m == sip.NOTIFY || m == sip.MESSAGE
}
