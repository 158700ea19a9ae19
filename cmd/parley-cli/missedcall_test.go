package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// A missed call is a missed_call event, and a history row that says so by
// its content_type.
func TestMissedCallJSON(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC)
	var buf bytes.Buffer
	e := newEmitter(&buf)
	e.write(e.eventJSON(sipclient.MissedCall{ID: 9, Peer: pid("sip:bob@x"), From: "sip:bob@x", FromName: "Bob", At: at}))
	e.write(messageJSON("history", sipclient.ChatMessage{ID: 9, Peer: pid("sip:bob@x"), Direction: "in", At: at,
		State: "received", ContentType: sipclient.ContentTypeMissedCall}))
	dec := json.NewDecoder(&buf)
	for _, want := range []map[string]any{
		{"event": "missed_call", "id": "9", "peer": "sip:bob@x", "from": "sip:bob@x", "from_name": "Bob", "at": "2026-05-01T12:30:00Z"},
		{"event": "history", "id": "9", "peer": "sip:bob@x", "direction": "in", "text": "", "state": "received",
			"at": "2026-05-01T12:30:00Z", "content_type": "application/vnd.parley.missed-call"},
	} {
		var got map[string]any
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", want["event"], k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("keys %v", got)
		}
	}
}
