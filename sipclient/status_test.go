package sipclient

import (
	"strings"
	"testing"
	"time"
)

// The automatic Away is told as RPID user-input idle, with the threshold
// and the last input; a chosen Away, and Appear offline, are not.
func TestIdlePresenceBody(t *testing.T) {
	last := time.Date(2026, 12, 7, 14, 5, 0, 0, time.UTC)
	idle := Presence{Status: StatusAway, Note: "lunch", Idle: true, LastInput: last, IdleAfter: 5 * time.Minute}
	body, err := encodeBody(idle, "sip:alice@127.0.0.1", "sip:alice@127.0.0.1:5070", "")
	if err != nil {
		t.Fatal(err)
	}
	want := `<rpid:user-input idle-threshold="300" last-input="2026-12-07T14:05:00Z">idle</rpid:user-input>`
	if !strings.Contains(string(body), want) || !strings.Contains(string(body), "<rpid:away/>") {
		t.Errorf("idle body lacks %s:\n%s", want, body)
	}
	for _, p := range []Presence{{Status: StatusAway, Note: "lunch"}, {Status: StatusOffline, Idle: true}} {
		body, err := encodeBody(p, "sip:alice@127.0.0.1", "sip:alice@127.0.0.1:5070", "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), "user-input") {
			t.Errorf("%+v: user-input in\n%s", p, body)
		}
	}
}
