package pidf

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// RFC 4480 §3.4: <rpid:user-input> says whether the human is using the
// device ("active") or has left it ("idle"), with the threshold of
// inactivity that made it idle (idle-threshold, seconds) and when the
// last input came (last-input). It may sit in a person, a tuple or a
// device; RFC 4480's own example puts it in a <dm:device>.

// Values of UserInput.State.
const (
	InputActive = "active"
	InputIdle   = "idle"
)

// UserInput is what a document says of the human's input. The zero value
// says nothing.
type UserInput struct {
	State     string        // InputActive, InputIdle, or "" when not said
	LastInput time.Time     // zero when not said or unreadable
	Threshold time.Duration // zero when not said
}

// Idle tells whether the document says the human left the device.
func (u UserInput) Idle() bool { return u.State == InputIdle }

// readUserInput reads one <rpid:user-input>; a value other than active
// or idle says nothing.
func readUserInput(n *xmltree.Node) UserInput {
	var u UserInput
	switch strings.ToLower(trimmed(n)) {
	case InputActive:
		u.State = InputActive
	case InputIdle:
		u.State = InputIdle
	default:
		return UserInput{}
	}
	u.LastInput = parseTimestamp(strings.TrimSpace(attr(n, "last-input")))
	if s, err := strconv.ParseUint(strings.TrimSpace(attr(n, "idle-threshold")), 10, 32); err == nil {
		u.Threshold = time.Duration(s) * time.Second
	}
	return u
}

// userInputIn is the first user-input among n's children.
func userInputIn(n *xmltree.Node) UserInput {
	for _, c := range n.Children {
		if is(c, NamespaceRPID, "user-input") {
			if u := readUserInput(c); u.State != "" {
				return u
			}
		}
	}
	return UserInput{}
}

// documentUserInput is the document's word on input: the person's (it
// speaks for the human), else a tuple's, else a device's.
func documentUserInput(root *xmltree.Node) UserInput {
	var tuple, device UserInput
	for _, c := range root.Children {
		switch {
		case is(c, NamespaceDM, "person"):
			if u := userInputIn(c); u.State != "" {
				return u
			}
		case isCore(c, "tuple") && tuple.State == "":
			tuple = userInputIn(c)
		case is(c, NamespaceDM, "device") && device.State == "":
			device = userInputIn(c)
		}
	}
	if tuple.State != "" {
		return tuple
	}
	return device
}

// writeUserInput writes u inside a person, or nothing when it says
// nothing. Only the two values are written, so no input injects markup.
func writeUserInput(b *bytes.Buffer, u UserInput) {
	if u.State != InputActive && u.State != InputIdle {
		return
	}
	b.WriteString("  <rpid:user-input")
	if s := int64(u.Threshold / time.Second); s > 0 {
		b.WriteString(` idle-threshold="` + strconv.FormatInt(s, 10) + `"`)
	}
	if !u.LastInput.IsZero() {
		b.WriteString(` last-input="` + u.LastInput.UTC().Format(time.RFC3339) + `"`)
	}
	b.WriteString(">" + u.State + "</rpid:user-input>\n")
}
