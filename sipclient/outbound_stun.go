package sipclient

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
)

// A minimal STUN (RFC 5389) for SIP Outbound's UDP keep-alive (RFC 5626
// 4.4.2): a Binding request with no attributes, and the mapped address
// read back from the success response. Nothing else of STUN is needed.

const (
	stunMagic          = 0x2112A442
	stunBindingRequest = 0x0001
	stunBindingSuccess = 0x0101
	stunHeaderLen      = 20
	stunMappedAddr     = 0x0001
	stunXORMappedAddr  = 0x0020
)

// errNotSTUN is a datagram that is no STUN Binding success response.
var errNotSTUN = errors.New("not a STUN binding response")

type stunTxID [12]byte

// newSTUNRequest is a Binding request with a fresh transaction ID.
func newSTUNRequest() ([]byte, stunTxID) {
	var id stunTxID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	b := make([]byte, stunHeaderLen)
	binary.BigEndian.PutUint16(b[0:], stunBindingRequest)
	binary.BigEndian.PutUint32(b[4:], stunMagic)
	copy(b[8:], id[:])
	return b, id
}

// isSTUN tells a STUN message from SIP on a shared port (RFC 5626 4.4.2,
// RFC 5389 6): the first two bits are zero and the magic cookie follows.
// A SIP message starts with a letter.
func isSTUN(b []byte) bool {
	return len(b) >= stunHeaderLen && b[0]&0xC0 == 0 && binary.BigEndian.Uint32(b[4:]) == stunMagic
}

// parseSTUNSuccess reads a Binding success response: its transaction ID
// and the address the server saw us at (XOR-MAPPED-ADDRESS, else
// MAPPED-ADDRESS).
func parseSTUNSuccess(b []byte) (stunTxID, *net.UDPAddr, error) {
	var id stunTxID
	if !isSTUN(b) || binary.BigEndian.Uint16(b[0:]) != stunBindingSuccess {
		return id, nil, errNotSTUN
	}
	copy(id[:], b[8:20])
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n > len(b)-stunHeaderLen {
		return id, nil, errNotSTUN
	}
	var mapped *net.UDPAddr
	for a := b[stunHeaderLen : stunHeaderLen+n]; len(a) >= 4; {
		typ, l := binary.BigEndian.Uint16(a), int(binary.BigEndian.Uint16(a[2:]))
		if 4+l > len(a) {
			break
		}
		v := a[4 : 4+l]
		switch typ {
		case stunXORMappedAddr:
			if addr := stunAddr(v, true, id); addr != nil {
				return id, addr, nil
			}
		case stunMappedAddr:
			mapped = stunAddr(v, false, id)
		}
		next := 4 + (l+3)&^3 // attributes are padded to 4 bytes
		if next > len(a) {
			break
		}
		a = a[next:]
	}
	if mapped == nil {
		return id, nil, errNotSTUN
	}
	return id, mapped, nil
}

// stunAddr decodes a MAPPED or XOR-MAPPED address attribute, IPv4 or
// IPv6 (RFC 5389 15.1, 15.2): an IPv6 server's answers carry IPv6. id is
// the transaction ID, which an XOR'd IPv6 address is also XOR'd with.
func stunAddr(v []byte, xor bool, id stunTxID) *net.UDPAddr {
	n := 0
	switch {
	case len(v) >= 8 && v[1] == 0x01:
		n = net.IPv4len
	case len(v) >= 20 && v[1] == 0x02:
		n = net.IPv6len
	default:
		return nil
	}
	port := binary.BigEndian.Uint16(v[2:])
	ip := make(net.IP, n)
	copy(ip, v[4:4+n])
	if xor {
		port ^= stunMagic >> 16
		var key [16]byte
		binary.BigEndian.PutUint32(key[:], stunMagic)
		copy(key[4:], id[:])
		for i := range ip {
			ip[i] ^= key[i]
		}
	}
	return &net.UDPAddr{IP: ip, Port: int(port)}
}

// stunPings are our STUN transactions awaiting an answer, by ID.
type stunPings struct {
	mu   sync.Mutex
	wait map[stunTxID]chan *net.UDPAddr
}

// stunPing sends a Binding request from our SIP UDP socket to server
// (host:port) and returns the address the server saw it come from. The
// answer comes back through screenDatagram (stunAnswer).
func (c *Client) stunPing(ctx context.Context, server string) (*net.UDPAddr, error) {
	to, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		return nil, fmt.Errorf("STUN to %s: %w", server, err)
	}
	req, id := newSTUNRequest()
	ch := make(chan *net.UDPAddr, 1)
	c.stun.mu.Lock()
	if c.stun.wait == nil {
		c.stun.wait = map[stunTxID]chan *net.UDPAddr{}
	}
	c.stun.wait[id] = ch
	c.stun.mu.Unlock()
	defer func() {
		c.stun.mu.Lock()
		delete(c.stun.wait, id)
		c.stun.mu.Unlock()
	}()
	if _, err := c.udpConn.WriteTo(req, to); err != nil {
		return nil, fmt.Errorf("STUN to %s: %w", server, err)
	}
	select {
	case addr := <-ch:
		return addr, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("STUN to %s: %w", server, ErrNoResponse)
	}
}

// stunAnswer takes a datagram that looks like STUN: the answer to one of
// our pings goes to its waiter. It reports whether b was STUN at all (not
// to be parsed as SIP either way).
func (c *Client) stunAnswer(b []byte) bool {
	if !isSTUN(b) {
		return false
	}
	id, addr, err := parseSTUNSuccess(b)
	if err != nil {
		c.opt.log.Debug("STUN datagram dropped", "error", err)
		return true
	}
	c.stun.mu.Lock()
	ch := c.stun.wait[id]
	c.stun.mu.Unlock()
	if ch != nil {
		select {
		case ch <- addr:
		default: // a retransmitted answer
		}
	}
	return true
}
