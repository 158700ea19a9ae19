package clitest

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/parley-im/parley/internal/freeport"
)

// pickPort is FreePort; a test may replace it.
var pickPort = FreePort

// FreePort returns a loopback port free for TCP and UDP, from below the
// kernel's ephemeral range, so nothing takes it before parley-cli or the
// app binds it (see internal/freeport).
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freeport.Pick()
	if err != nil {
		t.Fatalf("clitest: %v", err)
	}
	return p
}

// portOf reads the port from a ready event: the first "listen" address,
// else the AOR's host:port.
func portOf(ready Event) int {
	if l, ok := ready["listen"].([]any); ok && len(l) > 0 {
		if s, ok := l[0].(string); ok {
			if p := portFromHostPort(s[strings.IndexByte(s, ':')+1:]); p > 0 {
				return p
			}
		}
	}
	aor := ready.Str("aor")
	hostport := aor[strings.LastIndexByte(aor, '@')+1:]
	hostport, _, _ = strings.Cut(hostport, ";")
	return portFromHostPort(hostport)
}

func portFromHostPort(s string) int {
	_, p, err := net.SplitHostPort(s)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// lockedBuffer is a bytes.Buffer safe for one writer and many readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
