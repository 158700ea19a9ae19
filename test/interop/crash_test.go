package interop

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// burst is how many MESSAGEs the crash test writes; killAfter is how many
// 200s it waits for before it kills the receiver.
const (
	burst     = 300
	killAfter = 100
)

// (d) kill -9 of a parley-cli in the middle of a burst of MESSAGEs: every
// MESSAGE it answered 200 is in its history after a restart on the same
// --data. The pump writes the whole burst at once over one TCP connection
// and records which Call-IDs got a 200 before the connection died.
func TestKillDuringBurst(t *testing.T) {
	data := t.TempDir()
	cli := clitest.Start(t, "--user", "sink", "--transport", "tcp", "--data", data)
	conn := dialCLI(t, cli)
	answers := make(chan [2]string, burst)
	go statusLines(conn, burst, answers)
	// The write fails once the receiver is dead; what it answered is what counts.
	go writeBurst(conn, cli.AOR(), "burst", burst)
	acked := map[string]bool{}
	killed := false
	for a := range answers {
		if a[0] == "200" {
			acked[a[1]] = true
		}
		if !killed && len(acked) >= killAfter {
			killed = true
			if err := cli.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !killed {
		t.Fatalf("only %d MESSAGEs answered 200 before the connection ended", len(acked))
	}
	cli.Wait(t, clitest.QuitTimeout)

	again := clitest.Start(t, "--user", "sink", "--transport", "tcp", "--data", data)
	stored := map[string]bool{}
	for _, ev := range listHistory(t, again, fmt.Sprintf("history %s %d", rawPeer, 2*burst), "history") {
		stored["burst-"+strings.TrimPrefix(ev.Str("text"), "burst ")] = true
	}
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
			t.Errorf("%s was answered 200 but is not in the history", id)
		}
	}
	t.Logf("%d of %d MESSAGEs answered 200 before SIGKILL, %d in the history after restart, %d lost",
		len(acked), burst, len(stored), lost)
	quitAll(t, again)
	noErrors(t, again)
}
