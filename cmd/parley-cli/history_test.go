package main

import (
	"bytes"
	"encoding/json"
	"github.com/parley-im/parley/internal/idtest"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient"
)

func TestMessageJSON(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC)
	retry := at.Add(time.Minute)
	var buf bytes.Buffer
	e := newEmitter(&buf)
	e.write(messageJSON("history", sipclient.ChatMessage{ID: 7, Peer: pid("sip:bob@x"), Direction: "out",
		Text: "hi <b>", At: at, State: "failed", Code: 480, Reason: "Temporarily Unavailable", RetryAt: retry}))
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"event": "history", "id": "7", "peer": "sip:bob@x", "direction": "out", "text": "hi <b>",
		"state": "failed", "at": "2026-05-01T12:30:00Z", "code": 480.0, "reason": "Temporarily Unavailable",
		"will_retry": true, "retry_at": "2026-05-01T12:31:00Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, buf.String())
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys %v", got)
	}
}

func TestStatusJSONWillRetry(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 30, 0, 0, time.UTC)
	v, _ := (&emitter{}).eventJSON(sipclient.MessageStatus{ID: 3, Status: sipclient.MsgFailed, Code: 408, RetryAt: at}).(obj)
	if v["will_retry"] != true || v["retry_at"] != "2026-05-01T12:30:00Z" {
		t.Errorf("failed with retry: %v", v)
	}
	v, _ = (&emitter{}).eventJSON(sipclient.MessageStatus{ID: 3, Status: sipclient.MsgFailed, Code: 404}).(obj)
	if _, ok := v["will_retry"]; ok {
		t.Errorf("permanent failure: %v", v)
	}
}

func TestRetryBackoffFlag(t *testing.T) {
	f, err := parseFlags([]string{"--retry-backoff", "100ms, 2s", "--data", "/tmp/x"})
	if err != nil || len(f.backoff) != 2 || f.backoff[1] != 2*time.Second || f.data != "/tmp/x" {
		t.Errorf("flags %+v, %v", f, err)
	}
	for _, bad := range []string{"", "fast", "-1s"} {
		if _, err := parseFlags([]string{"--retry-backoff", bad}); err == nil {
			t.Errorf("--retry-backoff %q accepted", bad)
		}
	}
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID
