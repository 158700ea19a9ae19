package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// TestMessageEventLine: a received message is the line the obj of its
// fields made before it became a struct, with and without the optional
// keys.
func TestMessageEventLine(t *testing.T) {
	sent := time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC)
	for _, ev := range []sipclient.MessageReceived{
		{Peer: pid("sip:bob@x"), From: "sip:bob@X", FromName: "Bob", To: "sip:me@y", Text: `hi <b> "there"`,
			ContentType: "text/plain", CallID: "c1"},
		{Peer: pid("sip:bob@x"), From: "sip:bob@x", To: "sip:me@y", Text: "é\n", ContentType: "text/plain",
			CallID: "c2", CPIM: true, SentAt: sent, Mismatch: "From differs"},
	} {
		want := obj{"event": "message", "peer": ev.Peer, "contact": false, "from": ev.From, "from_name": ev.FromName,
			"to": ev.To, "text": ev.Text, "content_type": ev.ContentType, "call_id": ev.CallID, "cpim": ev.CPIM}
		if !ev.SentAt.IsZero() {
			want["sent_at"] = ev.SentAt.Format(time.RFC3339)
		}
		if ev.Mismatch != "" {
			want["mismatch"] = ev.Mismatch
		}
		var got, exp bytes.Buffer
		newEmitter(&got).write((&emitter{}).eventJSON(ev))
		newEmitter(&exp).write(want)
		if got.String() != exp.String() {
			t.Errorf("message line\n got %s want %s", got.String(), exp.String())
		}
	}
}

// countingWriter counts the writes that reach stdout.
type countingWriter struct {
	mu     sync.Mutex
	writes int
	buf    bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func (w *countingWriter) lines() (int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Count(w.buf.String(), "\n"), w.writes
}

// A burst of events goes out in a few writes, every line of it; a lone
// event is written (after flushAfter) while the stream stays open.
func TestEventsBatchedForAMoment(t *testing.T) {
	w := &countingWriter{}
	e := newEmitter(w)
	burst := make(chan sipclient.Event, 100)
	for i := range 100 {
		burst <- sipclient.WatcherChanged{URI: fmt.Sprint("sip:w", i, "@x")}
	}
	close(burst)
	e.events(burst)
	if lines, writes := w.lines(); lines != 100 || writes > 5 {
		t.Errorf("a burst of 100 events: %d lines in %d writes, want 100 lines in a few", lines, writes)
	}

	w = &countingWriter{}
	e = newEmitter(w)
	lone := make(chan sipclient.Event)
	go e.events(lone)
	defer close(lone)
	lone <- sipclient.WatcherChanged{URI: "sip:w@x"}
	for range 500 { // bounded: 5 s
		if lines, _ := w.lines(); lines == 1 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("a lone event was not written while the stream stayed open")
}
