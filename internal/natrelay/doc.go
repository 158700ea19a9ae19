// Package natrelay is a UDP NAT on loopback for tests: clients send to
// the relay's address as if it were the server; the relay forwards each
// client's packets to the server from a port of its own (the client's
// public mapping, a different port on 127.0.0.1) and forwards what comes
// back to that port to the client. A client on another loopback address
// (127.0.0.2, its "private" address) is reached only through its mapping:
// an answer sent where its Via says, or to the public IP with the private
// port, is lost, as behind a real NAT. Drop forgets every mapping, as a
// NAT that rebooted or timed out a binding does. TCPRelay is the same
// middlebox for TCP: Stall makes its open connections carry nothing while
// they stay open, as a firewall that silently lost a flow.
package natrelay
