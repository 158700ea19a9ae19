package sipclient

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// screen is what one incoming datagram goes through before a role: the
// parser, then the gate, or the answer to what did not parse.
func screen(data []byte) {
	msg, err := screenParser.ParseSIP(data)
	if err != nil {
		answerUnparsed(data, err)
		return
	}
	if req, ok := msg.(*sip.Request); ok {
		checkRequest(req)
	}
}

// FuzzScreen: no input makes the parser, the gate or the stateless
// answer panic. Seeds: the RFC 4475 messages and the gate's table.
func FuzzScreen(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "torture", "*.dat"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, tc := range gateCases {
		f.Add(gateRequest(tc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		screen(data)
		addressLWS(string(data))
	})
}

// Screening the torture messages over and over keeps no memory: the heap
// after a collection grows by less than a bound. Bounded in rounds and in
// time, so a slow machine (or -race) runs fewer rounds, not longer.
func TestScreenKeepsNoMemory(t *testing.T) {
	var msgs [][]byte
	for name := range tortures {
		msgs = append(msgs, tortureMessage(t, name))
	}
	for _, m := range msgs { // warm up: lazy tables, pools
		screen(m)
	}
	before := heapAfterGC()
	const rounds = 10000
	deadline := time.Now().Add(15 * time.Second)
	n := 0
	for ; n < rounds && time.Now().Before(deadline); n++ {
		for _, m := range msgs {
			screen(m)
		}
	}
	grown := int64(heapAfterGC()) - int64(before)
	t.Logf("%d rounds of %d messages (%d screened); heap %d -> %d bytes (%+d)", n, len(msgs), n*len(msgs), before, before+uint64(grown), grown)
	if n < 100 {
		t.Errorf("only %d rounds in 15 s", n)
	}
	if grown > 512<<10 {
		t.Errorf("heap grew by %d bytes over %d rounds", grown, n)
	}
}

func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
