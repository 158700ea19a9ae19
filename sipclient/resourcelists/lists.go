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

// Document is a resource-lists document: its top-level lists.
type Document struct {
	Lists []List
}

// List is a named list of entries; nested lists and elements Parley does
// not use are kept in Lists and Other.
type List struct {
	Name        string
	DisplayName string
	Entries     []Entry
	Lists       []List
	Other       []Raw
}

// Entry is one resource: a URI and the name the user gave it.
type Entry struct {
	URI         string
	DisplayName string
	Other       []Raw
}

// Raw is an element kept as read.
type Raw struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

type xDoc struct {
	XMLName xml.Name `xml:"resource-lists"`
	Lists   []xList  `xml:"list"`
}

type xList struct {
	Name        string   `xml:"name,attr"`
	DisplayName string   `xml:"display-name"`
	Entries     []xEntry `xml:"entry"`
	Lists       []xList  `xml:"list"`
	Other       []Raw    `xml:",any"`
}

type xEntry struct {
	URI         string `xml:"uri,attr"`
	DisplayName string `xml:"display-name"`
	Other       []Raw  `xml:",any"`
}

// Decode reads a resource-lists document.
func Decode(b []byte) (Document, error) {
	var x xDoc
	if err := xml.Unmarshal(b, &x); err != nil {
		return Document{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if x.XMLName.Space != Namespace {
		return Document{}, fmt.Errorf("%w: root <%s> in namespace %q", ErrInvalid, x.XMLName.Local, x.XMLName.Space)
	}
	return Document{Lists: fromX(x.Lists)}, nil
}

func fromX(xs []xList) []List {
	out := make([]List, 0, len(xs))
	for _, x := range xs {
		l := List{Name: x.Name, DisplayName: strings.TrimSpace(x.DisplayName), Lists: fromX(x.Lists), Other: x.Other}
		for _, e := range x.Entries {
			l.Entries = append(l.Entries, Entry{URI: strings.TrimSpace(e.URI), DisplayName: strings.TrimSpace(e.DisplayName), Other: e.Other})
		}
		out = append(out, l)
	}
	return out
}

// Encode writes d; ErrInvalid for an entry without a URI.
func Encode(d Document) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<resource-lists xmlns="` + Namespace + `">` + "\n")
	if err := writeLists(&b, d.Lists, " "); err != nil {
		return nil, err
	}
	b.WriteString("</resource-lists>\n")
	return b.Bytes(), nil
}

func writeLists(b *bytes.Buffer, lists []List, indent string) error {
	for _, l := range lists {
		b.WriteString(indent + "<list")
		if l.Name != "" {
			b.WriteString(` name="` + attr(l.Name) + `"`)
		}
		b.WriteString(">\n")
		if l.DisplayName != "" {
			b.WriteString(indent + " <display-name>" + text(l.DisplayName) + "</display-name>\n")
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
	if e.DisplayName == "" && len(e.Other) == 0 {
		b.WriteString("/>\n")
		return nil
	}
	b.WriteString(">")
	if e.DisplayName != "" {
		b.WriteString("<display-name>" + text(e.DisplayName) + "</display-name>")
	}
	if len(e.Other) > 0 {
		b.WriteString("\n")
		writeRaw(b, e.Other, indent+" ")
		b.WriteString(indent)
	}
	b.WriteString("</entry>\n")
	return nil
}

// writeRaw writes kept elements back, declaring their namespace.
func writeRaw(b *bytes.Buffer, raws []Raw, indent string) {
	for _, r := range raws {
		b.WriteString(indent + "<" + r.XMLName.Local)
		if r.XMLName.Space != "" && r.XMLName.Space != Namespace {
			b.WriteString(` xmlns="` + attr(r.XMLName.Space) + `"`)
		}
		for _, a := range r.Attrs {
			if a.Name.Space == "" && a.Name.Local != "xmlns" {
				b.WriteString(" " + a.Name.Local + `="` + attr(a.Value) + `"`)
			}
		}
		b.WriteString(">" + r.Inner + "</" + r.XMLName.Local + ">\n")
	}
}

func attr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func text(s string) string { return attr(s) }
