package main

import (
	"bytes"
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
