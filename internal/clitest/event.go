package clitest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Event is one JSON object parley-cli printed on stdout, e.g.
// {"event":"presence","uri":"sip:bob@127.0.0.1:5062","basic":"open",...}.
// Lines that are not JSON objects are kept as {"event":"invalid","line":...}.
type Event map[string]any

// Str returns the value of key as text: strings as they are, numbers and
// other values in their JSON form, "" when the key is absent or null.
func (e Event) Str(key string) string {
	switch v := e[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}

// Int returns a numeric value of key as an int (0 when absent or not a
// number).
func (e Event) Int(key string) int {
	if f, ok := e[key].(float64); ok {
		return int(f)
	}
	return 0
}

// Name is the event's type: "ready", "presence", "message"...
func (e Event) Name() string { return e.Str("event") }

// Is reports whether the event has the given type and, for each key/value
// pair in kv, Str(key) == value.
func (e Event) Is(name string, kv ...string) bool {
	if e.Name() != name {
		return false
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if e.Str(kv[i]) != kv[i+1] {
			return false
		}
	}
	return true
}

// String is the event as one line of JSON (keys sorted).
func (e Event) String() string {
	b, err := json.Marshal(map[string]any(e))
	if err != nil {
		return fmt.Sprintf("%v", map[string]any(e))
	}
	return string(b)
}

func parseEvent(line string) Event {
	var e Event
	if err := json.Unmarshal([]byte(line), &e); err != nil || e == nil {
		return Event{"event": "invalid", "line": line}
	}
	return e
}

// formatEvents renders events one per line with their index.
func formatEvents(evs []Event) string {
	var b strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&b, "%3d %s\n", i, e)
	}
	return b.String()
}

// Match returns a WaitEvent matcher for Event.Is(name, kv...).
func Match(name string, kv ...string) func(Event) bool {
	return func(e Event) bool { return e.Is(name, kv...) }
}
