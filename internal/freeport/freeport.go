// Package freeport picks loopback ports for the peers the tests start
// (Kamailio, baresip, linphonec, parley-cli, the app), which must be told
// their port before they bind it.
//
// A port from bind(":0") is released before the peer binds it, and in that
// gap the kernel may hand the same number to anyone: to a bind(":0")
// elsewhere, or as the local port of any outgoing connection, and the
// tests make thousands. CI lost a run to that once (baresip's ctrl port
// and its SIP port came back equal). So the ports here come from below
// the kernel's ephemeral range, which neither connect nor bind(":0")
// uses, chosen at random and checked free, and never handed out twice
// (nor next to each other) by one process.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Low is the lowest port handed out: well above the registered services
// a Debian machine may run (5060, 8080...).
const Low = 20000

var (
	mu     sync.Mutex
	handed = map[int]bool{}
)

// Pick returns a port on 127.0.0.1 that is free now for TCP and UDP, whose
// next port is free for TCP too (baresip and Kamailio bind SIP over TLS
// there), outside the kernel's ephemeral range, and at least two away
// from every port this process was handed before.
func Pick() (int, error) { return PickOn("127.0.0.1") }

// PickOn is Pick on another loopback host, such as "::1".
func PickOn(host string) (int, error) {
	lo, hi := candidates()
	mu.Lock()
	defer mu.Unlock()
	var lastErr error
	for range 200 {
		p := lo + rand.IntN(hi-lo)
		if handed[p-1] || handed[p] || handed[p+1] {
			continue
		}
		if lastErr = free(host, p); lastErr == nil {
			handed[p] = true
			return p, nil
		}
	}
	return 0, fmt.Errorf("freeport: no free port on %s in %d-%d after 200 tries: %v", host, lo, hi, lastErr)
}

// free checks that port is free on host for TCP and UDP, and port+1 for
// TCP, by binding them for a moment.
func free(host string, port int) error {
	tcp, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	defer udp.Close()
	next, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port+1)))
	if err != nil {
		return err
	}
	return next.Close()
}

// candidates is the range ports are picked from: [Low, the ephemeral
// range's start - 1), or, where that range starts too low for it, the
// ports above the ephemeral range.
func candidates() (lo, hi int) {
	elo, ehi := ephemeral()
	if elo-1-Low >= 1000 {
		return Low, elo - 1 // port+1 stays below elo too
	}
	return ehi + 1, 65535 // port+1 <= 65535
}

// ephemeral reads the kernel's range for outgoing and bind(":0") ports;
// Linux's default where it cannot.
func ephemeral() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		f := strings.Fields(string(b))
		if len(f) == 2 {
			l, err1 := strconv.Atoi(f[0])
			h, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && l <= h {
				return l, h
			}
		}
	}
	return 32768, 60999
}
