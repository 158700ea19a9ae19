package natrelay

import (
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrClosed is returned by Start's relay after Close.
var ErrClosed = errors.New("natrelay: closed")

// Relay is one NAT between clients and one UDP server.
type Relay struct {
	inside *net.UDPConn // where clients send: the server as they see it
	server *net.UDPAddr

	mu     sync.Mutex
	maps   map[string]*mapping // by the client's (private) address
	closed bool
	wg     sync.WaitGroup
}

// mapping is one client's public side: a socket of its own towards the
// server, on 127.0.0.1.
type mapping struct {
	client  *net.UDPAddr
	outside *net.UDPConn
}

// Start opens a relay on 127.0.0.1 towards the UDP server at server
// (host:port). Close it.
func Start(server string) (*Relay, error) {
	sa, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		return nil, fmt.Errorf("natrelay: server %q: %w", server, err)
	}
	in, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("natrelay: listen: %w", err)
	}
	r := &Relay{inside: in, server: sa, maps: map[string]*mapping{}}
	r.wg.Add(1)
	go r.fromClients()
	return r, nil
}

// Addr is where clients send: "127.0.0.1:PORT".
func (r *Relay) Addr() string { return r.inside.LocalAddr().String() }

// Public is the public address the server sees for client (host:port), or
// "" when the relay holds no mapping for it.
func (r *Relay) Public(client string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.maps[client]; m != nil {
		return m.outside.LocalAddr().String()
	}
	return ""
}

// Drop forgets every mapping: what the server sends to the old public
// ports is lost, and a client's next packet gets a new public port.
func (r *Relay) Drop() {
	r.mu.Lock()
	old := r.maps
	r.maps = map[string]*mapping{}
	r.mu.Unlock()
	for _, m := range old {
		m.outside.Close()
	}
}

// Close stops relaying and waits for its goroutines. Idempotent.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	r.Drop()
	err := r.inside.Close()
	r.wg.Wait()
	return err
}

// fromClients forwards each client's packets to the server through its
// mapping, making one on its first packet.
func (r *Relay) fromClients() {
	defer r.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := r.inside.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		m, err := r.mappingFor(from)
		if err != nil {
			continue // closing, or out of sockets: the packet is lost, as in a NAT
		}
		_, _ = m.outside.WriteToUDP(buf[:n], r.server) // UDP: a loss is a loss
	}
}

func (r *Relay) mappingFor(client *net.UDPAddr) (*mapping, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	if m := r.maps[client.String()]; m != nil {
		return m, nil
	}
	out, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("natrelay: mapping: %w", err)
	}
	m := &mapping{client: client, outside: out}
	r.maps[client.String()] = m
	r.wg.Add(1)
	go r.toClient(m)
	return m, nil
}

// toClient forwards what arrives at a mapping's public port to its
// client, from the relay's own address (the server, as the client sees
// it), until the mapping is dropped.
func (r *Relay) toClient(m *mapping) {
	defer r.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, _, err := m.outside.ReadFromUDP(buf)
		if err != nil {
			return // dropped or closed
		}
		_, _ = r.inside.WriteToUDP(buf[:n], m.client)
	}
}
