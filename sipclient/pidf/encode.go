package pidf

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"mime"
	"strings"
)

// defaultTupleID names the tuple when the document brings no usable ID.
const defaultTupleID = "t1"

// Encode writes d as a presence body for contentType: ContentTypePIDF (also
// chosen by "") gives PIDF with a <dm:person> carrying RPID activities and
// the note; ContentTypeCPIM gives the legacy shape of the reference flow,
// without RPID, which old peers may reject. Encode writes the aggregate
// view: one tuple from Basic, Contact and Note, named after the first of
// d.Tuples when it has an ID. BasicUnknown (or "") leaves out <basic>.
func Encode(d *Document, contentType string) ([]byte, error) {
	ns, err := namespaceFor(contentType)
	if err != nil {
		return nil, err
	}
	acts, err := checkDocument(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(1024) // a typical body fits, one allocation
	b.WriteString(xml.Header)
	id := tupleID(d)
	if ns == NamespaceCPIM {
		writeRoot(&b, `<presence xmlns="`+NamespaceCPIM+`"`+"\n  entity=\"", d.Entity)
		writeTuple(&b, d, id)
	} else {
		writeRoot(&b, `<presence xmlns="`+NamespacePIDF+`" xmlns:dm="`+NamespaceDM+
			`" xmlns:rpid="`+NamespaceRPID+`" entity="`, d.Entity)
		writeTuple(&b, d, id)
		if len(acts) > 0 || d.Note != "" || d.UserInput.State != "" {
			writePerson(&b, id, acts, d.UserInput, d.Note)
		}
	}
	b.WriteString("</presence>\n")
	return b.Bytes(), nil
}

// namespaceFor maps a content type, parameters and case forgiven, to the
// root namespace it calls for.
func namespaceFor(contentType string) (string, error) {
	if contentType == "" {
		return NamespacePIDF, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %q: %v", ErrContentType, contentType, err)
	case mt == ContentTypePIDF:
		return NamespacePIDF, nil
	case mt == ContentTypeCPIM:
		return NamespaceCPIM, nil
	}
	return "", fmt.Errorf("%w: %q", ErrContentType, contentType)
}

// checkDocument refuses what cannot be written faithfully and returns the
// activities in the form they will be written.
func checkDocument(d *Document) ([]activity, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil document", ErrInvalid)
	}
	if strings.TrimSpace(d.Entity) == "" {
		return nil, fmt.Errorf("%w: entity is required", ErrInvalid)
	}
	switch d.Basic {
	case "", BasicOpen, BasicClosed, BasicUnknown:
	default:
		return nil, fmt.Errorf("%w: basic %q", ErrInvalid, d.Basic)
	}
	return toActivities(d.Activities)
}

func writeRoot(b *bytes.Buffer, open, entity string) {
	b.WriteString(open)
	escape(b, strings.TrimSpace(entity))
	b.WriteString("\">\n")
}

// writeTuple writes the single tuple; the one-space indent per level
// follows the reference flow.
func writeTuple(b *bytes.Buffer, d *Document, id string) {
	b.WriteString(" <tuple id=\"")
	b.WriteString(id)
	b.WriteString("\">\n")
	if d.Basic == BasicOpen || d.Basic == BasicClosed {
		b.WriteString("  <status>\n   <basic>" + string(d.Basic) + "</basic>\n  </status>\n")
	} else {
		b.WriteString("  <status/>\n") // no <basic> reads back as unknown
	}
	writeElement(b, "  ", "contact", d.Contact)
	writeElement(b, "  ", "note", d.Note)
	b.WriteString(" </tuple>\n")
}

// writeElement writes <name>text</name> on its own line, or nothing for
// empty text.
func writeElement(b *bytes.Buffer, indent, name, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	escape(b, text)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteString(">\n")
}

// escape writes s as character data or attribute value. EscapeText quotes
// both quote kinds and replaces characters XML cannot carry, so no input
// can end the element early. Writes to a bytes.Buffer cannot fail.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// tupleID returns the first tuple's ID made into a valid XML ID, so the
// reference flow's numeric "452426775" becomes "t452426775".
func tupleID(d *Document) string {
	if len(d.Tuples) == 0 {
		return defaultTupleID
	}
	var id []byte
	for _, c := range []byte(d.Tuples[0].ID) {
		if isLetter(c) || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' {
			id = append(id, c)
		}
	}
	switch {
	case len(id) == 0:
		return defaultTupleID
	case !isLetter(id[0]):
		return "t" + string(id)
	}
	return string(id)
}

func isLetter(c byte) bool { return isLower(c) || 'A' <= c && c <= 'Z' }
