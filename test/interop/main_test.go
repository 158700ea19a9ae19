// Package interop proves Parley against real peers on loopback: two
// parley-cli processes running the reference flow, and Debian's baresip
// as presentity, watcher and pager.
package interop

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
)

func TestMain(m *testing.M) { clitest.Main(m) }

// waitLong bounds every wait for an event; it is generous on purpose (the
// machine is shared) and never asserted on.
const waitLong = 20 * time.Second

var transports = []string{"udp", "tcp"}

// withTransport adds ;transport=tcp to uri for TCP, so requests to it go
// over TCP whatever the sender's default.
func withTransport(uri, transport string) string {
	if transport == "tcp" {
		return uri + ";transport=tcp"
	}
	return uri
}

// bare drops URI parameters: "sip:bob@127.0.0.1:5062;transport=tcp" →
// "sip:bob@127.0.0.1:5062", the form parley-cli reports addresses in.
func bare(uri string) string {
	u, _, _ := strings.Cut(uri, ";")
	return u
}

// quitAll asks every CLI to quit at once and checks that each exits 0.
func quitAll(t *testing.T, clis ...*clitest.CLI) {
	t.Helper()
	var wg sync.WaitGroup
	codes := make([]int, len(clis))
	for i, c := range clis {
		c.RequestQuit()
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = c.Wait(t, clitest.QuitTimeout)
		}()
	}
	wg.Wait()
	for i, code := range codes {
		if code != 0 {
			t.Errorf("%s exited with code %d after quit, want 0", clis[i].AOR(), code)
		}
	}
}

// noErrors fails the test for every error (or unparsable) line a CLI
// printed.
func noErrors(t *testing.T, c *clitest.CLI) {
	t.Helper()
	for _, ev := range c.Events() {
		if ev.Name() == "error" || ev.Name() == "invalid" {
			t.Errorf("%s reported %v", c.AOR(), ev)
		}
	}
}
