package sipclient

import "github.com/emiago/sipgo/sip"

// contactFor is the Contact of one of our requests: this device's public
// GRUU (RFC 5627 4.4) on a request through the server other than
// REGISTER, once the registrar gave one, else our own address. A GRUU
// reaches this device and no other of the user's, wherever the NAT has
// moved it; the REGISTER itself must name the address.
func (c *Client) contactFor(req *sip.Request, transport string) *sip.ContactHeader {
	if req.Method != sip.REGISTER && c.reg != nil && c.server.viaServer(req.Recipient) {
		if g := c.reg.gruu(); g != nil {
			return &sip.ContactHeader{Address: *g.Clone()}
		}
	}
	return c.contactHeader(transport)
}
