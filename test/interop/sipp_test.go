package interop

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
)

// These tests call parley-cli with Debian's SIPp (sip-tester), over UDP
// and TCP: Parley takes no calls, so each INVITE is answered 480 at once,
// and the call is a missed call in the history and a missed_call event.
// The scenarios are in testdata/sipp; SIPp checks what it can (codes, the
// reason phrase, the Warning, a To tag), and its message trace is read
// here for the rest. They skip only when the sipp binary is missing.

// sippMsg is one message of a SIPp trace.
type sippMsg struct {
	sent  bool
	start string // request or status line
	cseq  string // "1 INVITE"
	via   string
	to    string
}

func (m sippMsg) code() int {
	f := strings.Fields(m.start)
	if len(f) < 2 || f[0] != "SIP/2.0" {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// runSipp plays scenario against the CLI over transport and returns the
// trace. The scenario must succeed (exit 0).
func runSipp(t *testing.T, cli *clitest.CLI, scenario, transport string) []sippMsg {
	t.Helper()
	bin, err := exec.LookPath("sipp")
	if err != nil {
		t.Skipf("sipp not installed (%v); apt-get install sip-tester", err)
	}
	sf, err := filepath.Abs(filepath.Join("testdata", "sipp", scenario))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trace := filepath.Join(dir, "messages.log")
	tr := map[string]string{"udp": "u1", "tcp": "t1"}[transport]
	cmd := exec.Command(bin, "127.0.0.1:"+strconv.Itoa(cli.Port()), "-sf", sf,
		"-s", "callee", "-i", "127.0.0.1", "-p", strconv.Itoa(clitest.FreePort(t)), "-t", tr, "-m", "1", "-nostdin", "-timeout", "30s", "-timeout_error",
		"-trace_msg", "-message_file", trace, "-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		msgs, _ := os.ReadFile(trace)
		t.Fatalf("sipp %s over %s: %v\n%s\n%s\ntrace:\n%s", scenario, transport, err, errs, lastLines(string(out), 12), msgs)
	}
	return readSippTrace(t, trace)
}

// readSippTrace parses -trace_msg output: blocks headed by a dashed line
// and "UDP message sent (...)" or "TCP message received [...]".
func readSippTrace(t *testing.T, path string) []sippMsg {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("sipp trace: %v", err)
	}
	defer f.Close()
	var msgs []sippMsg
	var cur *sippMsg
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.Contains(line, " message sent ") || strings.Contains(line, " message received "):
			msgs = append(msgs, sippMsg{sent: strings.Contains(line, " sent ")})
			cur = &msgs[len(msgs)-1]
		case cur == nil || line == "":
		case cur.start == "":
			cur.start = line
		default:
			name, value, _ := strings.Cut(line, ":")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "cseq":
				cur.cseq = strings.TrimSpace(value)
			case "via":
				cur.via = strings.TrimSpace(value)
			case "to":
				cur.to = strings.TrimSpace(value)
			}
		}
	}
	return msgs
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// received returns the responses sipp got for method, in order.
func received(msgs []sippMsg, method string) []sippMsg {
	var out []sippMsg
	for _, m := range msgs {
		if !m.sent && m.code() != 0 && strings.HasSuffix(m.cseq, " "+method) {
			out = append(out, m)
		}
	}
	return out
}

func sentReq(msgs []sippMsg, method string) []sippMsg {
	var out []sippMsg
	for _, m := range msgs {
		if m.sent && strings.HasPrefix(m.start, method+" ") {
			out = append(out, m)
		}
	}
	return out
}

// finals are the final answers among res.
func finals(res []sippMsg) []int {
	var codes []int
	for _, r := range res {
		if r.code() >= 200 {
			codes = append(codes, r.code())
		}
	}
	return codes
}

// checkMissedCall: exactly one missed_call event from sipp, and the
// history shows it as a received row of the missed-call type, same ID.
func checkMissedCall(t *testing.T, cli *clitest.CLI) {
	t.Helper()
	ev := cli.WaitEvent(t, waitLong, clitest.Match("missed_call", "from_name", "Sipp Caller"))
	from := ev.Str("from")
	if !strings.HasPrefix(from, "sip:sipp@127.0.0.1:") || ev.Str("peer") != from || ev.Str("id") == "" || ev.Str("at") == "" {
		t.Errorf("missed_call %v", ev)
	}
	rows := listHistory(t, cli, "history "+from, "history")
	if len(rows) != 1 || !rows[0].Is("history", "id", ev.Str("id"), "direction", "in", "state", "received", "text", "",
		"content_type", "application/vnd.parley.missed-call") {
		t.Errorf("history with %s: %v", from, rows)
	}
	time.Sleep(500 * time.Millisecond) // a second event would come within this
	n := 0
	for _, e := range cli.Events() {
		if e.Is("missed_call") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d missed_call events, want 1", n)
	}
}

// TestSippCallDeclined: sipp's INVITE gets 480 Parley Takes No Calls (no
// 180, no 2xx), the ACK goes in the INVITE's transaction and stops the
// 480's retransmissions; the call is a missed call.
func TestSippCallDeclined(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			cli := clitest.Start(t, "--user", "callee", "--transport", tr)
			msgs := runSipp(t, cli, "invite-480.xml", tr)
			res := received(msgs, "INVITE")
			for _, r := range res {
				if c := r.code(); c != 100 && (c != 480 || r.start != "SIP/2.0 480 Parley Takes No Calls") {
					t.Errorf("INVITE answered %q", r.start)
				}
			}
			acks := sentReq(msgs, "ACK")
			inv := sentReq(msgs, "INVITE")
			got480 := finals(res)
			// Each 480 that reaches sipp is ACKed; on a slow machine Timer
			// G may resend it before the first ACK lands, never after.
			if len(got480) == 0 || len(acks) != len(got480) || len(inv) != 1 {
				t.Fatalf("%d INVITE, %d 480, %d ACK: %+v", len(inv), len(got480), len(acks), msgs)
			}
			if acks[0].via != inv[0].via || acks[0].to != res[len(res)-1].to {
				t.Errorf("ACK not in the INVITE's transaction: Via %q To %q, INVITE Via %q, 480 To %q",
					acks[0].via, acks[0].to, inv[0].via, res[len(res)-1].to)
			}
			checkMissedCall(t, cli)
			noErrors(t, cli)
		})
	}
}

// TestSippCallCancelled: sipp cancels the call as soon as it can, which
// is after the 480 (Parley answers at once). RFC 3261 9.2: the CANCEL
// gets 200 when it still matches the INVITE's transaction, 481 when that
// ended; the INVITE keeps its 480 (never a 487: it had its final answer).
// Over UDP sipgo keeps the transaction until the ACK, so always 200; over
// TCP it ends it when Parley's handler returns, so 200 or 481 by timing.
func TestSippCallCancelled(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			cli := clitest.Start(t, "--user", "callee", "--transport", tr)
			msgs := runSipp(t, cli, "invite-cancel.xml", tr)
			inv := finals(received(msgs, "INVITE"))
			cancel := finals(received(msgs, "CANCEL"))
			if len(inv) == 0 || inv[0] != 480 || len(cancel) != 1 {
				t.Fatalf("INVITE answered %v, CANCEL %v: %+v", inv, cancel, msgs)
			}
			for _, c := range inv {
				if c != 480 {
					t.Errorf("INVITE answered %v: the final answer changed", inv)
				}
			}
			switch {
			case tr == "udp" && cancel[0] != 200:
				t.Errorf("CANCEL answered %d over UDP, want 200", cancel[0])
			case cancel[0] != 200 && cancel[0] != 481:
				t.Errorf("CANCEL answered %d over TCP, want 200 or 481", cancel[0])
			}
			checkMissedCall(t, cli)
			noErrors(t, cli)
		})
	}
}
