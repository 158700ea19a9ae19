package resourcelists

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// ContentType of a resource-lists document.
const ContentType = "application/resource-lists+xml"

// Namespace of resource-lists.
const Namespace = "urn:ietf:params:xml:ns:resource-lists"

// ErrInvalid: a document that is not resource-lists, or a value that
// cannot be written in one.
var ErrInvalid = errors.New("resourcelists: invalid document")

// Document is a resource-lists document: its top-level lists, and the
// comments and other elements beside them, kept as read.
type Document struct {
	Lists []List
	Other []Raw
	Attrs []Attr // on <resource-lists>
}

// List is a named list of entries; nested lists and elements Parley does
// not use are kept in Lists and Other, attributes it does not use in Attrs.
type List struct {
	Name        string
	DisplayName string
	Entries     []Entry
	Lists       []List
	Other       []Raw
	Attrs       []Attr // on <list>, beside name
	NameAttrs   []Attr // on <display-name>, e.g. xml:lang
}

// Entry is one resource: a URI and the name the user gave it.
type Entry struct {
	URI         string
	DisplayName string
	Other       []Raw
	Attrs       []Attr // on <entry>, beside uri
	NameAttrs   []Attr // on <display-name>, e.g. xml:lang
}

// Raw is an element (or a comment) kept as read: its bytes, with the
// namespace declarations it borrowed from its ancestors added to its
// start tag, so it means the same wherever it is written.
type Raw struct {
	XMLName xml.Name // empty for a comment
	XML     []byte
	at      int // read before the at-th entry or list of its parent; -1 after all of them
}

// Attr is an attribute Parley does not use, kept with the prefix it was
// written with ("" for one without a namespace).
type Attr struct {
	Prefix string
	Name   xml.Name
	Value  string
}

// Encode writes d; ErrInvalid for an entry without a URI.
func Encode(d Document) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<resource-lists xmlns="` + Namespace + `"`)
	writeAttrs(&b, d.Attrs)
	b.WriteString(">\n")
	err := writeMixed(&b, d.Other, len(d.Lists), " ", func(i int) error { return writeList(&b, d.Lists[i], " ") })
	if err != nil {
		return nil, err
	}
	b.WriteString("</resource-lists>\n")
	return b.Bytes(), nil
}

func writeList(b *bytes.Buffer, l List, indent string) error {
	b.WriteString(indent + "<list")
	if l.Name != "" {
		b.WriteString(` name="` + attr(l.Name) + `"`)
	}
	writeAttrs(b, l.Attrs)
	b.WriteString(">\n")
	if l.DisplayName != "" {
		b.WriteString(indent + " ")
		writeDisplayName(b, l.DisplayName, l.NameAttrs)
		b.WriteString("\n")
	}
	n := len(l.Entries)
	err := writeMixed(b, l.Other, n+len(l.Lists), indent+" ", func(i int) error {
		if i < n {
			return writeEntry(b, l.Entries[i], indent+" ")
		}
		return writeList(b, l.Lists[i-n], indent+" ")
	})
	if err != nil {
		return err
	}
	b.WriteString(indent + "</list>\n")
	return nil
}

// writeMixed writes n children of Parley's by own, and each kept one
// before the child it came before when read (a comment stays above the
// entry it speaks of); those read after every child of Parley's, as
// RFC 4826 wants extension elements, come last.
func writeMixed(b *bytes.Buffer, raws []Raw, n int, indent string, own func(i int) error) error {
	next := 0
	for i := 0; i < n; i++ {
		for ; next < len(raws) && raws[next].at >= 0 && raws[next].at <= i; next++ {
			writeRaw(b, raws[next:next+1], indent)
		}
		if err := own(i); err != nil {
			return err
		}
	}
	writeRaw(b, raws[next:], indent)
	return nil
}

func writeEntry(b *bytes.Buffer, e Entry, indent string) error {
	if e.URI == "" || strings.ContainsAny(e.URI, "\r\n\x00") {
		return fmt.Errorf("%w: entry uri %q", ErrInvalid, e.URI)
	}
	b.WriteString(indent + `<entry uri="` + attr(e.URI) + `"`)
	writeAttrs(b, e.Attrs)
	if e.DisplayName == "" && len(e.Other) == 0 {
		b.WriteString("/>\n")
		return nil
	}
	b.WriteString(">")
	if e.DisplayName != "" {
		writeDisplayName(b, e.DisplayName, e.NameAttrs)
	}
	if len(e.Other) > 0 {
		b.WriteString("\n")
		writeRaw(b, e.Other, indent+" ")
		b.WriteString(indent)
	}
	b.WriteString("</entry>\n")
	return nil
}

// writeRaw writes kept elements back as they were read.
func writeRaw(b *bytes.Buffer, raws []Raw, indent string) {
	for _, r := range raws {
		b.WriteString(indent)
		b.Write(r.XML)
		b.WriteString("\n")
	}
}

// writeAttrs writes kept attributes, each prefix declared on the element
// it is used on (xml needs none).
func writeAttrs(b *bytes.Buffer, attrs []Attr) {
	declared := map[string]bool{"": true, "xml": true}
	for _, a := range attrs {
		if !declared[a.Prefix] {
			declared[a.Prefix] = true
			b.WriteString(" xmlns:" + a.Prefix + `="` + attr(a.Name.Space) + `"`)
		}
		name := a.Name.Local
		if a.Prefix != "" {
			name = a.Prefix + ":" + name
		}
		b.WriteString(" " + name + `="` + attr(a.Value) + `"`)
	}
}

func writeDisplayName(b *bytes.Buffer, name string, attrs []Attr) {
	b.WriteString("<display-name")
	writeAttrs(b, attrs)
	b.WriteString(">" + text(name) + "</display-name>")
}

func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func text(s string) string { return attr(s) }
