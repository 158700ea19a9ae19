package freeport

import (
	"net"
	"strconv"
	"testing"
)

// Picks are free for TCP and UDP, outside the ephemeral range, and never
// equal or next to an earlier pick.
func TestPick(t *testing.T) {
	elo, ehi := ephemeral()
	seen := map[int]bool{}
	for range 300 {
		p, err := Pick()
		if err != nil {
			t.Fatal(err)
		}
		if p >= elo && p <= ehi || p+1 >= elo && p+1 <= ehi {
			t.Fatalf("picked %d, in the ephemeral range %d-%d", p, elo, ehi)
		}
		if seen[p-1] || seen[p] || seen[p+1] {
			t.Fatalf("picked %d next to or equal to an earlier pick", p)
		}
		seen[p] = true
		for _, network := range []string{"tcp", "udp"} {
			var c interface{ Close() error }
			if network == "tcp" {
				c, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			} else {
				c, err = net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
			}
			if err != nil {
				t.Fatalf("picked %d, not free for %s: %v", p, network, err)
			}
			c.Close()
		}
	}
}

// A port taken for TCP, for UDP, or whose next port is taken, is not free.
func TestFreeSeesTakenPorts(t *testing.T) {
	p, err := Pick()
	if err != nil {
		t.Fatal(err)
	}
	for name, take := range map[string]func() (interface{ Close() error }, error){
		"tcp": func() (interface{ Close() error }, error) { return net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)) },
		"udp": func() (interface{ Close() error }, error) {
			return net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
		},
		"next tcp": func() (interface{ Close() error }, error) { return net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1)) },
	} {
		c, err := take()
		if err != nil {
			t.Fatal(err)
		}
		if err := free("127.0.0.1", p); err == nil {
			t.Errorf("%d counts as free with its %s port taken", p, name)
		}
		c.Close()
	}
}
