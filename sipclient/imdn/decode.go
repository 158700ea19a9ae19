package imdn

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// maxDepth bounds element nesting; the schema needs four levels.
const maxDepth = 16

// Decode parses a message/imdn+xml body. The root must be <imdn> in the
// IMDN namespace, or in none (some stacks forget it); children are then
// read in the root's namespace. A message-id and one notification with a
// known status are required; the rest is optional.
func Decode(body []byte) (*Notification, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	root, err := xmltree.Parse(body, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if root.Name.Local != "imdn" || (root.Name.Space != Namespace && root.Name.Space != "") {
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q", ErrNotIMDN, root.Name.Local, root.Name.Space)
	}
	n := &Notification{}
	ns := root.Name.Space
	for _, c := range root.Children {
		if c.Name.Space == ns {
			if err := n.readChild(c); err != nil {
				return nil, err
			}
		}
	}
	if n.MessageID == "" {
		return nil, fmt.Errorf("%w: no message-id", ErrInvalid)
	}
	if n.Kind == "" {
		return nil, fmt.Errorf("%w: no delivery, display or processing notification", ErrInvalid)
	}
	return n, nil
}

// readChild applies one child of <imdn>; of repeated elements the first
// wins.
func (n *Notification) readChild(c *xmltree.Node) error {
	switch k := Kind(c.Name.Local); c.Name.Local {
	case "message-id":
		keepFirst(&n.MessageID, c)
	case "recipient-uri":
		keepFirst(&n.RecipientURI, c)
	case "original-recipient-uri":
		keepFirst(&n.OriginalRecipientURI, c)
	case "subject":
		keepFirst(&n.Subject, c)
	case "datetime":
		if n.DateTime.IsZero() {
			n.DateTime = parseDateTime(text(c))
		}
	case string(KindDelivery), string(KindDisplay), string(KindProcessing):
		if n.Kind == "" {
			n.Kind = k
			return n.readNotification(c)
		}
	}
	return nil
}

// readNotification finds the <status> of a notification element and its
// status: an empty element as the RFC has it, or (from sloppy peers) the
// status as text.
func (n *Notification) readNotification(el *xmltree.Node) error {
	for _, st := range el.Children {
		if st.Name.Local != "status" || st.Name.Space != el.Name.Space {
			continue
		}
		for _, c := range st.Children {
			switch {
			case c.Name.Space == el.Name.Space && n.Status == "":
				n.Status = Status(c.Name.Local)
			case c.Name.Local == "reason" && n.Reason == "":
				n.Reason = text(c)
				code, _ := c.Attr("code")
				n.ReasonCode, _ = strconv.Atoi(strings.TrimSpace(code))
			}
		}
		if n.Status == "" {
			n.Status = Status(strings.ToLower(text(st)))
		}
		break
	}
	if !knownStatus(n.Status) {
		return fmt.Errorf("%w: %s has status %q", ErrInvalid, n.Kind, n.Status)
	}
	return nil
}

func knownStatus(s Status) bool {
	switch s {
	case StatusDelivered, StatusFailed, StatusForbidden, StatusError,
		StatusDisplayed, StatusProcessed, StatusStored:
		return true
	}
	return false
}

// parseDateTime reads an RFC 3339 date-time; a bad one reads as zero.
func parseDateTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

func text(n *xmltree.Node) string { return string(bytes.TrimSpace(n.Text)) }

func keepFirst(dst *string, n *xmltree.Node) {
	if *dst == "" {
		*dst = text(n)
	}
}
