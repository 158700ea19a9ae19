package sipclient

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A request too large for UDP goes over TCP (RFC 3261 18.1.1): within 200
// bytes of the path MTU, or over 1300 bytes when the MTU is unknown, it
// MUST use a congestion-controlled transport. sipgo v1.7.3 does not switch:
// its UDP connection refuses a message over sip.UDPMTUSize-200 bytes with
// sip.ErrUDPMTUCongestion before anything is sent. So the request is sent
// again to the same host and port over TCP, with a TCP Via; its Contact
// and the dialog stay as they were (only the Via changes, as 18.1.1 says).
// A long note, message or PIDF to a UDP peer or server thus still arrives.

// ErrTooLargeForUDP: the request is over the UDP limit and the peer takes
// no TCP at its address. It is an ErrBodyTooLarge, so the outbox does not
// retry it and the user reads "too large, send a shorter message".
var ErrTooLargeForUDP = fmt.Errorf("%w for UDP, and the peer takes no TCP", ErrBodyTooLarge)

// sendOverTCP sends req, refused by the UDP transport as too large, to the
// same destination over TCP. req stays on TCP, so the same request sent
// again with credentials goes that way too.
func (c *Client) sendOverTCP(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	for req.RemoveHeader("Via") {
	}
	req.SetTransport("TCP")
	req.Laddr = sip.Addr{} // the UDP socket; a TCP flow picks its own port
	c.opt.log.Debug("request over the UDP limit sent over TCP", "method", req.Method, "to", req.Destination())
	res, err := c.sipc.Do(ctx, req, sipgo.ClientRequestAddVia)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("%w: %w", ErrTooLargeForUDP, err)
	}
	return res, err
}

// tooLargeForUDP reports whether sipgo refused err's request as over the
// UDP limit.
func tooLargeForUDP(err error) bool { return errors.Is(err, sip.ErrUDPMTUCongestion) }
