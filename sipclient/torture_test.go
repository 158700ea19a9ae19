package sipclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// tortureCase is what Parley answers one RFC 4475 message with, per
// transport. Codes are status codes; none means no answer: a response
// (nothing to answer), or a message sipgo cannot parse on a stream, where
// it closes the connection. nil means anything but a crash: dblreq and
// mcl01 are UDP tests, and on TCP the bytes after the first message break
// the framing, so sipgo closes the connection while the answer may or may
// not be on its way.
type tortureCase struct {
	section  string
	udp, tcp []int
}

const none = 0

// tortures lists every message of the RFC's tarball (testdata/torture).
// Parley does not implement REGISTER: a well-formed one is answered 405
// with Allow, the way RFC 3261 8.2.1 says, which is all a "valid" message
// needs (parsed, not answered 400, no crash). It takes no calls: a
// well-formed INVITE is answered 480 (invite.go), one with a To tag 481
// (no such dialog), one whose body is no session description 415.
var tortures = map[string]tortureCase{
	// 3.1.1 valid messages
	"wsinv":      {"3.1.1.1", []int{481}, []int{481}}, // it carries a To tag: a dialog we do not have
	"intmeth":    {"3.1.1.2", []int{405}, []int{405}},
	"esc01":      {"3.1.1.3", []int{480}, []int{480}},
	"escnull":    {"3.1.1.4", []int{405}, []int{405}},
	"esc02":      {"3.1.1.5", []int{405}, []int{405}},
	"lwsdisp":    {"3.1.1.6", []int{200}, []int{200}},
	"longreq":    {"3.1.1.7", []int{none}, []int{480}}, // UDP: sipgo sends no datagram over 1300 bytes, answers included
	"dblreq":     {"3.1.1.8", []int{405}, nil},         // a UDP test: the second request in the datagram is ignored
	"semiuri":    {"3.1.1.9", []int{200}, []int{200}},
	"transports": {"3.1.1.10", []int{200}, []int{200}},
	"mpart01":    {"3.1.1.11", []int{415}, []int{415}},
	"unreason":   {"3.1.1.12", []int{none}, []int{none}},
	"noreason":   {"3.1.1.13", []int{none}, []int{none}},
	// 3.1.2 invalid messages
	"badinv01":   {"3.1.2.1", []int{400}, []int{none}},
	"clerr":      {"3.1.2.2", []int{400}, []int{none}}, // TCP: waits for the rest of the body
	"ncl":        {"3.1.2.3", []int{400}, []int{none}},
	"scalar02":   {"3.1.2.4", []int{400}, []int{none}},
	"scalarlg":   {"3.1.2.5", []int{none}, []int{none}},
	"quotbal":    {"3.1.2.6", []int{400}, []int{none}},
	"ltgtruri":   {"3.1.2.7", []int{400}, []int{none}},
	"lwsruri":    {"3.1.2.8", []int{400}, []int{none}},
	"lwsstart":   {"3.1.2.9", []int{400}, []int{none}},
	"trws":       {"3.1.2.10", []int{400}, []int{none}},
	"escruri":    {"3.1.2.11", []int{400}, []int{400}},
	"baddate":    {"3.1.2.12", []int{480}, []int{480}}, // RFC: may accept; the Date is not read
	"regbadct":   {"3.1.2.13", []int{405}, []int{405}}, // RFC: a registrar says 400; we are none
	"badaspec":   {"3.1.2.14", []int{400}, []int{none}},
	"baddn":      {"3.1.2.15", []int{400}, []int{none}},
	"badvers":    {"3.1.2.16", []int{505}, []int{505}},
	"mismatch01": {"3.1.2.17", []int{400}, []int{400}},
	"mismatch02": {"3.1.2.18", []int{400}, []int{400}},
	"bigcode":    {"3.1.2.19", []int{none}, []int{none}},
	// 3.2 transaction layer, 3.3 application layer, 3.4 backward compatibility
	"badbranch": {"3.2.1", []int{200}, []int{200}}, // RFC: 400 or RFC 2543 matching; sipgo does the latter
	"insuf":     {"3.3.1", []int{400}, []int{400}},
	"unkscm":    {"3.3.2", []int{416}, []int{416}},
	"novelsc":   {"3.3.3", []int{416}, []int{none}},
	"unksm2":    {"3.3.4", []int{405}, []int{405}}, // RFC: a registrar says 400; we are none
	"bext01":    {"3.3.5", []int{420}, []int{420}},
	"invut":     {"3.3.6", []int{415}, []int{415}},
	"regaut01":  {"3.3.7", []int{405}, []int{405}},
	"multi01":   {"3.3.8", []int{400}, []int{400}},
	"mcl01":     {"3.3.9", []int{400}, nil},
	"bcast":     {"3.3.10", []int{none}, []int{none}},
	"zeromf":    {"3.3.11", []int{200}, []int{200}}, // an endpoint ignores Max-Forwards: 0
	"cparam01":  {"3.3.12", []int{405}, []int{405}},
	"cparam02":  {"3.3.13", []int{405}, []int{405}},
	"regescrt":  {"3.3.14", []int{405}, []int{405}},
	"sdp01":     {"3.3.15", []int{480}, []int{480}}, // RFC: 406 or 400 if answered with SDP; a 480 has no body
	"inv2543":   {"3.4.1", []int{480}, []int{none}}, // no Content-Length: cannot be framed on TCP
}

func tortureMessage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torture", name+".dat"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTortureFilesAllListed(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "torture", "*.dat"))
	if len(files) != len(tortures) {
		t.Errorf("%d torture files, %d cases", len(files), len(tortures))
	}
	for _, f := range files {
		if _, ok := tortures[strings.TrimSuffix(filepath.Base(f), ".dat")]; !ok {
			t.Errorf("%s has no case", f)
		}
	}
}

// Each torture message goes over real UDP and TCP sockets to a real
// client; the status lines that come back are what the table says.
func TestTortureOnTheWire(t *testing.T) {
	c, _ := newTestClient(t, "user", "udp")
	udpAddr, tcpAddr := c.listeners[0].String(), tcpAddr(c)
	// All at once: most cases end in a quiet wait, and t.Parallel would
	// run two at a time on two cores.
	var wg sync.WaitGroup
	turns := txTurns(t)
	for name, tc := range tortures {
		msg := tortureMessage(t, name)
		wg.Add(2)
		go func() {
			defer wg.Done()
			if got := tortureUDP(t, udpAddr, msg); !sameCodes(got, tc.udp) {
				t.Errorf("%s (RFC 4475 %s) over UDP answered %v, want %v", name, tc.section, got, tc.udp)
			}
		}()
		go func() {
			defer wg.Done()
			if turn := turns[name]; turn != nil {
				turn.Lock()
				defer turn.Unlock()
			}
			if got := tortureTCP(t, tcpAddr, msg); !sameCodes(got, tc.tcp) {
				t.Errorf("%s (RFC 4475 %s) over TCP answered %v, want %v", name, tc.section, got, tc.tcp)
			}
		}()
	}
	wg.Wait()
	// After all of them the client still answers.
	rc := dialRaw(t, tcpAddr)
	if res := rc.exchange(rawRequest("OPTIONS", c.AOR(), nil, "")); res.StatusCode != 200 {
		t.Errorf("OPTIONS after the torture answered %d", res.StatusCode)
	}
}

// txTurns gives messages that share a server transaction key (several
// share branch z9hG4bKkdjuw, sent-by and method) one lock: sent at once,
// the second is taken for a retransmission of the first (RFC 3261
// 17.2.3) and answered on the first one's connection. Over UDP each
// carries a Via of ours and cannot collide.
func txTurns(t testing.TB) map[string]*sync.Mutex {
	byKey := map[string]*sync.Mutex{}
	turns := map[string]*sync.Mutex{}
	for name := range tortures {
		m, err := newParser().ParseSIP(tortureMessage(t, name))
		if err != nil {
			continue
		}
		key, err := sip.ServerTxKeyMake(m)
		if err != nil {
			continue
		}
		if byKey[key] == nil {
			byKey[key] = &sync.Mutex{}
		}
		turns[name] = byKey[key]
	}
	return turns
}

// quiet is how long a peer waits before it takes silence for no answer.
const quiet = 1500 * time.Millisecond

// tortureUDP sends msg in one datagram and returns the status codes that
// come back. A request gets a Via of ours on top, as a proxy would add:
// the RFC's sent-by hosts are not ours, and answers follow the Via.
func tortureUDP(t testing.TB, addr string, msg []byte) []int {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raddr, _ := net.ResolveUDPAddr("udp", addr)
	if _, err := conn.WriteTo(addVia(msg, conn.LocalAddr().String()), raddr); err != nil {
		t.Fatal(err)
	}
	var codes []int
	seen := map[string]bool{}
	buf := make([]byte, 65535)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			return codes
		}
		if !seen[string(buf[:n])] { // a final answer to INVITE is retransmitted
			seen[string(buf[:n])] = true
			codes = append(codes, statusOf(t, buf[:n]))
		}
	}
}

// tortureTCP writes msg on a new connection and returns the status codes
// read until the connection closes or stays quiet.
func tortureTCP(t testing.TB, addr string, msg []byte) []int {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	var codes []int
	var got []byte
	buf := make([]byte, 65535)
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Logf("read: %v", err)
			}
			break
		}
	}
	for _, m := range bytes.SplitAfter(got, []byte("\r\n\r\n")) {
		if len(m) > 0 {
			codes = append(codes, statusOf(t, m))
		}
	}
	return codes
}

// addVia puts a Via naming from on top of a request; responses pass as
// they are.
func addVia(msg []byte, from string) []byte {
	line, rest, ok := bytes.Cut(msg, []byte("\r\n"))
	if !ok || bytes.HasPrefix(line, []byte("SIP/")) {
		return msg
	}
	via := fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK-torture-%d;rport", from, time.Now().UnixNano())
	return []byte(string(line) + "\r\n" + via + "\r\n" + string(rest))
}

// statusOf reads the status code of a response's first line (our answers
// carry no body).
func statusOf(t testing.TB, m []byte) int {
	line, _, _ := bytes.Cut(m, []byte("\r\n"))
	var code int
	if _, err := fmt.Sscanf(string(line), "SIP/2.0 %d", &code); err != nil {
		t.Errorf("not a response: %q", m)
	}
	return code
}

func sameCodes(got, want []int) bool {
	if want == nil {
		return true
	}
	if len(want) == 1 && want[0] == none {
		return len(got) == 0
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}
