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
	if err := writeLists(&b, d.Lists, " "); err != nil {
		return nil, err
	}
	writeRaw(&b, d.Other, " ")
	b.WriteString("</resource-lists>\n")
	return b.Bytes(), nil
}

func writeLists(b *bytes.Buffer, lists []List, indent string) error {
	for _, l := range lists {
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
		for _, e := range l.Entries {
			if err := writeEntry(b, e, indent+" "); err != nil {
				return err
			}
		}
		if err := writeLists(b, l.Lists, indent+" "); err != nil {
			return err
		}
		writeRaw(b, l.Other, indent+" ")
		b.WriteString(indent + "</list>\n")
	}
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
