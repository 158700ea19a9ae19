package iscomposing

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// Content type and namespace of the document.
const (
	ContentType = "application/im-iscomposing+xml"
	Namespace   = "urn:ietf:params:xml:ns:im-iscomposing"
)

// DefaultTimeout is how long an active state without a refresh lasts at
// the receiver: the 120 seconds of RFC 3994, which sipsimple also uses.
const DefaultTimeout = 120 * time.Second

// MaxBodySize bounds what Decode will parse.
const MaxBodySize = 16 << 10

const maxDepth = 8

// Error classes; details are wrapped around them with %w.
var (
	ErrMalformed    = errors.New("iscomposing: malformed XML")
	ErrNotComposing = errors.New("iscomposing: not an isComposing document")
	ErrInvalid      = errors.New("iscomposing: invalid indication")
	ErrTooLarge     = errors.New("iscomposing: body too large")
)

// State is the composer's state.
type State string

// The two states of RFC 3994.
const (
	StateActive State = "active"
	StateIdle   State = "idle"
)

// Indication is one isComposing document.
type Indication struct {
	State       State
	LastActive  time.Time     // when the composer was last active; zero if absent
	ContentType string        // what is being composed ("text", "audio", a MIME type); "" if absent
	Refresh     time.Duration // when the sender will refresh an active state; 0 if absent
}

// Timeout returns how long the receiver keeps this indication's state
// active without a new one: the refresh if given, else DefaultTimeout.
func (in *Indication) Timeout() time.Duration {
	if in.Refresh > 0 {
		return in.Refresh
	}
	return DefaultTimeout
}

// Decode parses an application/im-iscomposing+xml body.
func Decode(body []byte) (*Indication, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	root, err := xmltree.Parse(body, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if root.Name.Local != "isComposing" || (root.Name.Space != Namespace && root.Name.Space != "") {
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q", ErrNotComposing, root.Name.Local, root.Name.Space)
	}
	in := &Indication{}
	seen := map[string]bool{}
	for _, c := range root.Children {
		if c.Name.Space != root.Name.Space || seen[c.Name.Local] {
			continue // foreign extension, or a repeat: the first wins
		}
		seen[c.Name.Local] = true
		in.read(c.Name.Local, string(bytes.TrimSpace(c.Text)))
	}
	if in.State != StateActive && in.State != StateIdle {
		return nil, fmt.Errorf("%w: state %q", ErrInvalid, in.State)
	}
	return in, nil
}

func (in *Indication) read(local, text string) {
	switch local {
	case "state":
		in.State = State(strings.ToLower(text))
	case "lastactive":
		if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(text)); err == nil {
			in.LastActive = t
		}
	case "contenttype":
		in.ContentType = text
	case "refresh":
		if s, err := strconv.ParseUint(text, 10, 31); err == nil {
			in.Refresh = time.Duration(s) * time.Second
		}
	}
}

// Encode writes in as an application/im-iscomposing+xml body. It refuses
// a state other than active or idle and a refresh that is negative or
// not whole seconds.
func Encode(in *Indication) ([]byte, error) {
	switch {
	case in == nil:
		return nil, fmt.Errorf("%w: nil indication", ErrInvalid)
	case in.State != StateActive && in.State != StateIdle:
		return nil, fmt.Errorf("%w: state %q", ErrInvalid, in.State)
	case in.Refresh < 0 || in.Refresh%time.Second != 0 || in.Refresh > (1<<31-1)*time.Second:
		return nil, fmt.Errorf("%w: refresh %v", ErrInvalid, in.Refresh)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<isComposing xmlns="` + Namespace + `">` + "\n")
	element(&b, "state", string(in.State))
	if !in.LastActive.IsZero() {
		element(&b, "lastactive", in.LastActive.Format(time.RFC3339Nano))
	}
	element(&b, "contenttype", in.ContentType)
	if in.Refresh > 0 {
		element(&b, "refresh", strconv.FormatInt(int64(in.Refresh/time.Second), 10))
	}
	b.WriteString("</isComposing>\n")
	return b.Bytes(), nil
}

// element writes <name>text</name> on its own line, nothing for empty
// text; writes to a bytes.Buffer cannot fail.
func element(b *bytes.Buffer, name, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	b.WriteString(" <" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">\n")
}
