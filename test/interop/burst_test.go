package interop

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// A burst of MESSAGEs on one TCP connection is answered in a few writes,
// not one write (and one TCP segment) per 200, and its event lines leave
// stdout in a few writes too. Counted by the kernel: the receiver's write
// system calls over the burst (/proc/PID/io syscw) stay under one per
// message, where answering each 200 and printing each line on its own
// took two. Every MESSAGE is still answered 200 and announced.
func TestBurstAnsweredInFewWrites(t *testing.T) {
	const n = 300
	cli := clitest.Start(t, "--user", "sink", "--transport", "tcp")
	conn := dialCLI(t, cli)
	mark := cli.Len()
	before := writeCalls(t, cli.PID())

	answers := make(chan [2]string, n)
	go statusLines(conn, n, answers)
	if err := writeBurst(conn, cli.AOR(), "few", n); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for a := range answers {
		if a[0] != "200" {
			t.Errorf("%s answered %s", a[1], a[0])
		}
		ok++
	}
	if ok != n {
		t.Fatalf("%d of %d MESSAGEs answered", ok, n)
	}
	seen := 0
	cli.WaitEventFrom(t, mark, waitLong, func(ev clitest.Event) bool {
		if ev.Is("message") && strings.HasPrefix(ev.Str("text"), "few ") {
			seen++
		}
		return seen == n
	})

	writes := writeCalls(t, cli.PID()) - before
	t.Logf("%d MESSAGEs: %d answers and %d event lines in %d write calls", n, n, n, writes)
	if writes >= n {
		t.Errorf("%d write calls for %d answers and %d event lines: about one per answer or line, not gathered",
			writes, n, n)
	}
	quitAll(t, cli)
	noErrors(t, cli)
}

// writeBurst writes n MESSAGEs to aor at once (one flush): Call-IDs
// name-0, name-1…, texts "name 0", "name 1"….
func writeBurst(conn net.Conn, aor, name string, n int) error {
	w := bufio.NewWriterSize(conn, 64<<10)
	for i := range n {
		fmt.Fprint(w, rawMessage(aor, fmt.Sprintf("%s-%d", name, i), fmt.Sprint(i), 1, fmt.Sprintf("%s %d", name, i)))
	}
	return w.Flush()
}

// writeCalls is how many write system calls process pid has made so far.
func writeCalls(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		t.Skipf("no write counts here: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("/proc/%d/io: %q", pid, line)
			}
			return n
		}
	}
	t.Fatalf("/proc/%d/io has no syscw", pid)
	return 0
}
