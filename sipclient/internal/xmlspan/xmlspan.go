// Package xmlspan edits an XML document a client shares with others (an
// XCAP document: pres-rules, rls-services) without touching what is not
// its own: it finds the root's children as byte spans, so a client can
// replace its children and keep every other byte as the other clients
// wrote it.
package xmlspan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// ErrMalformed: the document is not XML, or its root is not the one
// asked for.
var ErrMalformed = errors.New("malformed document")

// Span is one child element of the root, as bytes doc[Start:End], with
// the value of its key attribute.
type Span struct {
	Start, End int64
	Key        string
}

// Doc is a document split at its root's children.
type Doc struct {
	bytes      []byte
	rootEnd    int64 // just after the root's start tag
	closeStart int64 // where the root's end tag starts
	// selfClosed: the root is written <root .../>: its start tag is its
	// end, and a child added must open it.
	selfClosed bool
	rootName   string // as written, with its prefix
	Children   []Span
}

// Parse splits doc, whose root must be named root, at the root's children
// named child (a child with an empty Space matches in any namespace);
// key names the attribute each child's Span.Key holds.
func Parse(doc []byte, root, child xml.Name, key string) (*Doc, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	out := &Doc{bytes: doc}
	depth := 0
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name != root {
					return nil, fmt.Errorf("%w: root <%s>, want <%s>", ErrMalformed, t.Name.Local, root.Local)
				}
				out.rootEnd = d.InputOffset()
				out.rootName = rawName(doc[before:out.rootEnd])
			}
			if depth == 2 && t.Name.Local == child.Local && (child.Space == "" || t.Name.Space == child.Space) {
				out.Children = append(out.Children, Span{Start: before, Key: attr(t, key)})
			}
		case xml.EndElement:
			if n := len(out.Children); depth == 2 && n > 0 && out.Children[n-1].End == 0 && t.Name.Local == child.Local {
				out.Children[n-1].End = d.InputOffset()
			}
			if depth == 1 {
				out.closeStart = before
				out.selfClosed = before == out.rootEnd && bytes.HasSuffix(doc[:before], []byte("/>"))
			}
			depth--
		}
	}
	if out.rootEnd == 0 || out.closeStart == 0 {
		return nil, fmt.Errorf("%w: no <%s>", ErrMalformed, root.Local)
	}
	return out, nil
}

// Bytes is the child element s.
func (d *Doc) Bytes(s Span) []byte { return d.bytes[s.Start:s.End] }

// Splice returns the document with the children keep refuses cut out
// and added put last, each on a line of its own. Every other byte stays
// as it was: other clients' children, elements of other namespaces,
// comments.
func (d *Doc) Splice(keep func(Span) bool, added ...[]byte) []byte {
	if d.selfClosed {
		if len(added) == 0 {
			return d.bytes
		}
		// <root a="b"/> becomes <root a="b"> … </root>.
		var b bytes.Buffer
		b.Write(bytes.TrimRight(d.bytes[:d.rootEnd-2], " \t\r\n"))
		b.WriteString(">\n")
		for _, a := range added {
			b.WriteString(" ")
			b.Write(a)
			b.WriteString("\n")
		}
		b.WriteString("</" + d.rootName + ">")
		b.Write(d.bytes[d.rootEnd:])
		return b.Bytes()
	}
	var b bytes.Buffer
	at := int64(0)
	for _, s := range d.Children {
		if !keep(s) { // cut with the space that indented it
			b.Write(bytes.TrimRight(d.bytes[at:s.Start], " \t\r\n"))
			at = s.End
		}
	}
	b.Write(d.bytes[at:d.closeStart])
	for _, a := range added {
		b.WriteString(" ")
		b.Write(a)
		b.WriteString("\n")
	}
	b.Write(d.bytes[d.closeStart:])
	return b.Bytes()
}

// rawName is the element name of a start tag as written ("cr:ruleset").
func rawName(tag []byte) string {
	name := bytes.TrimPrefix(tag, []byte("<"))
	if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	return string(name)
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
