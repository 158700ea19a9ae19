package imdn

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Encode writes n as a message/imdn+xml body in the RFC's shape. It
// refuses an empty MessageID, a zero DateTime (the schema requires
// both) and a status the kind does not allow (a display notification
// cannot say "delivered"). A Reason or ReasonCode is written as
// Linphone's extension.
func Encode(n *Notification) ([]byte, error) {
	if err := check(n); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<imdn xmlns="` + Namespace + `"`)
	hasReason := n.Reason != "" || n.ReasonCode != 0
	if hasReason {
		b.WriteString(` xmlns:linphone="` + NamespaceLinphone + `"`)
	}
	b.WriteString(">\n")
	element(&b, "message-id", n.MessageID)
	element(&b, "datetime", n.DateTime.Format(time.RFC3339Nano))
	element(&b, "recipient-uri", n.RecipientURI)
	element(&b, "original-recipient-uri", n.OriginalRecipientURI)
	element(&b, "subject", n.Subject)
	b.WriteString(" <" + string(n.Kind) + ">\n  <status>\n   <" + string(n.Status) + "/>\n")
	if hasReason {
		b.WriteString(`   <linphone:reason`)
		if n.ReasonCode != 0 {
			b.WriteString(` code="` + strconv.Itoa(n.ReasonCode) + `"`)
		}
		b.WriteByte('>')
		escape(&b, n.Reason)
		b.WriteString("</linphone:reason>\n")
	}
	b.WriteString("  </status>\n </" + string(n.Kind) + ">\n</imdn>\n")
	return b.Bytes(), nil
}

func check(n *Notification) error {
	switch {
	case n == nil:
		return fmt.Errorf("%w: nil notification", ErrInvalid)
	case strings.TrimSpace(n.MessageID) == "":
		return fmt.Errorf("%w: message-id is required", ErrInvalid)
	case n.DateTime.IsZero():
		return fmt.Errorf("%w: datetime is required", ErrInvalid)
	}
	statuses, ok := allowed[n.Kind]
	if !ok {
		return fmt.Errorf("%w: kind %q", ErrInvalid, n.Kind)
	}
	if !slices.Contains(statuses, n.Status) {
		return fmt.Errorf("%w: %s cannot have status %q", ErrInvalid, n.Kind, n.Status)
	}
	return nil
}

// element writes <name>text</name> on its own line, nothing for empty
// text.
func element(b *bytes.Buffer, name, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	b.WriteString(" <" + name + ">")
	escape(b, text)
	b.WriteString("</" + name + ">\n")
}

// escape writes s as character data; writes to a bytes.Buffer cannot
// fail.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
