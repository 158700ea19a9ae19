package interop

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
)

// These tests run parley-cli with --data (a real SQLite file) and prove
// that nothing typed or received is lost: across restarts, an offline
// peer, duplicates, and a history that cannot be written.

// rawPeer is the fixed sender of hand-written MESSAGEs.
const rawPeer = "sip:load@127.0.0.1"

// rawMessage is a MESSAGE from rawPeer to aor over TCP.
func rawMessage(aor, callID, branch string, cseq int, text string) string {
	return fmt.Sprintf("MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%s\r\n"+
		"From: <%s>;tag=raw-tag\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: %d MESSAGE\r\n"+
		"Max-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		aor, branch, rawPeer, aor, callID, cseq, len(text), text)
}

// dialCLI opens a TCP connection to a parley-cli, closed at cleanup.
func dialCLI(t *testing.T, c *clitest.CLI) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.Port()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// statusLines reads responses off conn and sends each one's status code
// and Call-ID, until the connection ends or n were read.
func statusLines(conn net.Conn, n int, out chan<- [2]string) {
	defer close(out)
	r := bufio.NewReader(conn)
	var code string
	for seen := 0; seen < n; {
		conn.SetReadDeadline(time.Now().Add(waitLong))
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch {
		case strings.HasPrefix(line, "SIP/2.0 "):
			code = strings.Fields(line)[1]
		case strings.HasPrefix(line, "Call-ID:") && code != "":
			out <- [2]string{code, strings.TrimSpace(strings.TrimPrefix(line, "Call-ID:"))}
			code = ""
			seen++
		}
	}
}

// listHistory runs a history or search command and returns the listed
// messages once history_end came.
func listHistory(t *testing.T, c *clitest.CLI, cmd, event string) []clitest.Event {
	t.Helper()
	mark := c.Len()
	c.Send(cmd)
	end := c.WaitEventFrom(t, mark, waitLong, clitest.Match("history_end"))
	var out []clitest.Event
	for _, ev := range c.Events()[mark:] {
		if ev.Is(event) {
			out = append(out, ev)
		}
	}
	if end.Int("count") != len(out) {
		t.Errorf("history_end says %d, %d %s lines came", end.Int("count"), len(out), event)
	}
	return out
}

func countEvents(c *clitest.CLI, match func(clitest.Event) bool) int {
	n := 0
	for _, ev := range c.Events() {
		if match(ev) {
			n++
		}
	}
	return n
}

// sendQueued sends text and returns the message ID the queued event gave.
func sendQueued(t *testing.T, c *clitest.CLI, uri, text string) string {
	t.Helper()
	mark := c.Len()
	c.Send("send " + uri + " " + text)
	return c.WaitEventFrom(t, mark, waitLong, clitest.Match("queued", "to", uri)).Str("id")
}

// waitFailedWillRetry waits for the failed status of id and checks that a
// retry is announced.
func waitFailedWillRetry(t *testing.T, c *clitest.CLI, id string) {
	t.Helper()
	st := c.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "failed"))
	if st.Str("will_retry") != "true" || st.Str("retry_at") == "" {
		t.Errorf("failure %v: want will_retry and retry_at", st)
	}
}

// (a) A message to an offline peer fails and waits in the outbox; the
// sender quits; the peer comes up; the sender starts again on the same
// --data and delivers it, exactly once.
func TestOutboxAcrossRestart(t *testing.T) {
	data := t.TempDir()
	port := clitest.FreePort(t)
	bobURI := fmt.Sprintf("sip:bob@127.0.0.1:%d;transport=tcp", port)
	alice := clitest.Start(t, "--user", "alice", "--transport", "tcp", "--data", data)
	id := sendQueued(t, alice, bobURI, "written while you were away")
	waitFailedWillRetry(t, alice, id)
	if code := alice.Quit(t); code != 0 {
		t.Fatalf("alice exited %d", code)
	}

	bob := clitest.Start(t, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "bob", "--transport", "tcp",
		"--data", t.TempDir())
	alice2 := clitest.Start(t, "--user", "alice", "--transport", "tcp", "--data", data)
	bob.WaitEvent(t, waitLong, clitest.Match("message", "text", "written while you were away"))
	alice2.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "sent"))
	quitAll(t, alice2)
	if n := countEvents(bob, clitest.Match("message")); n != 1 {
		t.Errorf("bob got %d messages, want 1", n)
	}
	if h := listHistory(t, bob, "history "+alice2.AOR(), "history"); len(h) != 1 || h[0].Str("direction") != "in" {
		t.Errorf("bob's history: %v", h)
	}
	alice3 := clitest.Start(t, "--user", "alice", "--transport", "tcp", "--data", data)
	h := listHistory(t, alice3, "history "+bobURI, "history")
	if len(h) != 1 || h[0].Str("id") != id || h[0].Str("state") != "sent" || h[0].Str("direction") != "out" {
		t.Errorf("alice's history after the restarts: %v", h)
	}
	quitAll(t, alice3, bob)
	noErrors(t, alice)
	noErrors(t, alice2)
}

// (b) The peer comes up while the sender runs: the retry delivers it.
func TestOutboxRetriesInProcess(t *testing.T) {
	port := clitest.FreePort(t)
	bobURI := fmt.Sprintf("sip:bob@127.0.0.1:%d;transport=tcp", port)
	alice := clitest.Start(t, "--user", "alice", "--transport", "tcp", "--data", t.TempDir(),
		"--retry-backoff", "100ms,300ms")
	id := sendQueued(t, alice, bobURI, "knock knock")
	waitFailedWillRetry(t, alice, id)
	bob := clitest.Start(t, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "bob", "--transport", "tcp")
	bob.WaitEvent(t, waitLong, clitest.Match("message", "text", "knock knock"))
	alice.WaitEvent(t, waitLong, clitest.Match("message_status", "id", id, "status", "sent"))
	quitAll(t, alice)
	if n := countEvents(bob, clitest.Match("message")); n != 1 {
		t.Errorf("bob got %d messages, want 1", n)
	}
	quitAll(t, bob)
	noErrors(t, alice)
}

// (c) The same MESSAGE written twice (and once more with a new branch) is
// answered 200 each time, announced once and stored once.
func TestDuplicateMessageOnce(t *testing.T) {
	cli := clitest.Start(t, "--user", "sink", "--transport", "tcp", "--data", t.TempDir())
	conn := dialCLI(t, cli)
	answers := make(chan [2]string, 8)
	go statusLines(conn, 4, answers)
	// One at a time: a copy that arrives while the first is still being
	// handled is a retransmission inside its transaction, which sipgo
	// absorbs without a second answer.
	dup := rawMessage(cli.AOR(), "dup-1", "a", 1, "say it once")
	for _, m := range []string{dup, dup, rawMessage(cli.AOR(), "dup-1", "b", 1, "say it once"),
		rawMessage(cli.AOR(), "marker-1", "c", 1, "marker")} {
		if _, err := conn.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if a, ok := <-answers; !ok || a[0] != "200" {
			t.Fatalf("answer %v to\n%s", a, m)
		}
	}
	cli.WaitEvent(t, waitLong, clitest.Match("message", "text", "marker"))
	if n := countEvents(cli, clitest.Match("message", "text", "say it once")); n != 1 {
		t.Errorf("announced %d times, want 1", n)
	}
	if h := listHistory(t, cli, "history "+rawPeer, "history"); len(h) != 2 {
		t.Errorf("history: %v, want 2 messages", h)
	}
	quitAll(t, cli)
	noErrors(t, cli)
}

// (e) search finds words in the stored history, also after a restart.
func TestSearchHistory(t *testing.T) {
	data := t.TempDir()
	cli := clitest.Start(t, "--user", "sink", "--transport", "tcp", "--data", data)
	conn := dialCLI(t, cli)
	answers := make(chan [2]string, 8)
	go statusLines(conn, 3, answers)
	// One at a time, so that the history's order is the sending order
	// (pipelined MESSAGEs are handled concurrently).
	for i, text := range []string{"the zebra crossing", "lions and tigers", "Zebras don't cross"} {
		conn.Write([]byte(rawMessage(cli.AOR(), fmt.Sprintf("s-%d", i), fmt.Sprint("s", i), 1, text)))
		if a := <-answers; a[0] != "200" {
			t.Fatalf("%q answered %v", text, a)
		}
	}
	cli.WaitEvent(t, waitLong, clitest.Match("message", "text", "Zebras don't cross"))
	quitAll(t, cli)
	again := clitest.Start(t, "--user", "sink", "--transport", "tcp", "--data", data)
	found := listHistory(t, again, "search zebra", "search_result")
	if len(found) != 2 || found[0].Str("text") != "Zebras don't cross" || found[1].Str("text") != "the zebra crossing" {
		t.Errorf("search zebra: %v", found)
	}
	for _, ev := range found {
		if ev.Str("peer") != rawPeer || ev.Str("direction") != "in" || ev.Str("state") != "received" || ev.Str("id") == "" {
			t.Errorf("search result %v", ev)
		}
		if _, err := time.Parse(time.RFC3339, ev.Str("at")); err != nil {
			t.Errorf("at: %v", err)
		}
	}
	if found := listHistory(t, again, "search elephants", "search_result"); len(found) != 0 {
		t.Errorf("search elephants: %v", found)
	}
	// Export writes the conversation as plain text, oldest first.
	out := filepath.Join(t.TempDir(), "chat.txt")
	again.Send("export " + rawPeer + " " + out)
	again.WaitEvent(t, waitLong, clitest.Match("exported", "file", out))
	text, err := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	if err != nil || len(lines) != 3 || !strings.HasSuffix(lines[0], "the zebra crossing") ||
		!strings.HasSuffix(lines[2], "Zebras don't cross") || !strings.Contains(lines[0], "from "+rawPeer) {
		t.Errorf("export: %v\n%s", err, text)
	}
	quitAll(t, again)
	noErrors(t, again)
}

// (f) A --data that cannot be used: the CLI says history is unavailable
// and goes on receiving and sending, with history in memory.
func TestHistoryUnavailable(t *testing.T) {
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, "history.db"), []byte(strings.Repeat("not a database ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"proc": "/proc/parley-no-such-dir", "corrupt": corrupt} {
		t.Run(name, func(t *testing.T) {
			cli := clitest.Start(t, "--user", "amnesiac", "--transport", "tcp", "--data", dir)
			ev := cli.WaitEvent(t, waitLong, clitest.Match("error", "what", "history"))
			if !strings.HasPrefix(ev.Str("detail"), "history is unavailable: ") ||
				!strings.HasSuffix(ev.Str("detail"), "; messages are kept in memory for this session") {
				t.Errorf("error event %v", ev)
			}
			peer := clitest.Start(t, "--user", "peer", "--transport", "tcp")
			cliURI, peerURI := withTransport(cli.AOR(), "tcp"), withTransport(peer.AOR(), "tcp")
			exchange(t, cli, peer, peerURI, "I forget nothing", "")
			exchange(t, peer, cli, cliURI, "for this session", "")
			if h := listHistory(t, cli, "history "+peer.AOR(), "history"); len(h) != 2 {
				t.Errorf("history in memory: %v", h)
			}
			quitAll(t, cli, peer)
		})
	}
	if b, _ := os.ReadFile(filepath.Join(corrupt, "history.db")); !strings.HasPrefix(string(b), "not a database") {
		t.Error("the corrupt file was overwritten")
	}
}
