package resourcelists

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"sort"
	"strings"
)

const xmlURL = "http://www.w3.org/XML/1998/namespace"

// scanner reads a document token by token, keeping its bytes at hand so
// what Parley does not use is cut out as written, and the namespace
// bindings in scope so a cut element can carry the ones it borrows.
type scanner struct {
	src    []byte
	d      *xml.Decoder
	scopes []map[string]string // prefix ("" for the default) to namespace, one per open element
}

// Decode reads a resource-lists document.
func Decode(b []byte) (Document, error) {
	s := &scanner{src: b, d: xml.NewDecoder(bytes.NewReader(b))}
	doc, err := s.document()
	if err != nil {
		return Document{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return doc, nil
}

func (s *scanner) document() (Document, error) {
	var doc Document
	for {
		tok, err := s.d.Token()
		if err != nil {
			return doc, err
		}
		if root, ok := tok.(xml.StartElement); ok {
			if root.Name != (xml.Name{Space: Namespace, Local: "resource-lists"}) {
				return doc, fmt.Errorf("root <%s> in namespace %q", root.Name.Local, root.Name.Space)
			}
			s.push(root)
			doc.Attrs = s.keptAttrs(root)
			err := s.children(func(t xml.StartElement, at int64) error {
				if t.Name == (xml.Name{Space: Namespace, Local: "list"}) {
					l, err := s.list(t)
					doc.Lists = append(doc.Lists, l)
					return err
				}
				r, err := s.raw(t, at)
				doc.Other = append(doc.Other, placed(r, len(doc.Lists)))
				return err
			}, func(r Raw) { doc.Other = append(doc.Other, placed(r, len(doc.Lists))) })
			markTail(doc.Other, len(doc.Lists))
			return doc, err
		}
	}
}

func (s *scanner) list(start xml.StartElement) (List, error) {
	s.push(start)
	l := List{Name: ownAttr(start, "name"), Attrs: s.keptAttrs(start, "name")}
	err := s.children(func(t xml.StartElement, at int64) error {
		var err error
		switch {
		case t.Name == xml.Name{Space: Namespace, Local: "display-name"} && l.DisplayName == "" && l.NameAttrs == nil:
			l.DisplayName, l.NameAttrs, err = s.displayName(t)
		case t.Name == xml.Name{Space: Namespace, Local: "entry"}:
			var e Entry
			e, err = s.entry(t)
			l.Entries = append(l.Entries, e)
		case t.Name == xml.Name{Space: Namespace, Local: "list"}:
			var n List
			n, err = s.list(t)
			l.Lists = append(l.Lists, n)
		default:
			var r Raw
			r, err = s.raw(t, at)
			l.Other = append(l.Other, placed(r, len(l.Entries)+len(l.Lists)))
		}
		return err
	}, func(r Raw) { l.Other = append(l.Other, placed(r, len(l.Entries)+len(l.Lists))) })
	markTail(l.Other, len(l.Entries)+len(l.Lists))
	return l, err
}

func (s *scanner) entry(start xml.StartElement) (Entry, error) {
	s.push(start)
	e := Entry{URI: strings.TrimSpace(ownAttr(start, "uri")), Attrs: s.keptAttrs(start, "uri")}
	err := s.children(func(t xml.StartElement, at int64) error {
		var err error
		if t.Name == (xml.Name{Space: Namespace, Local: "display-name"}) && e.DisplayName == "" && e.NameAttrs == nil {
			e.DisplayName, e.NameAttrs, err = s.displayName(t)
			return err
		}
		var r Raw
		r, err = s.raw(t, at)
		e.Other = append(e.Other, r)
		return err
	}, func(r Raw) { e.Other = append(e.Other, r) })
	return e, err
}

// placed is r read after n children of Parley's.
func placed(r Raw, n int) Raw {
	r.at = n
	return r
}

// markTail marks the kept elements read after the last of the n children
// of Parley's: they stay last, whatever Parley adds.
func markTail(raws []Raw, n int) {
	for i := range raws {
		if raws[i].at == n {
			raws[i].at = -1
		}
	}
}

// displayName reads a display-name's text; what else it holds is not
// display-name content and is dropped.
func (s *scanner) displayName(start xml.StartElement) (string, []Attr, error) {
	s.push(start)
	attrs := s.keptAttrs(start)
	var text strings.Builder
	err := s.children(func(xml.StartElement, int64) error { return s.d.Skip() }, func(Raw) {}, &text)
	return strings.TrimSpace(text.String()), attrs, err
}

// children reads up to the end of the element just pushed, handing each
// child element (with the offset of its start tag) to elem, each comment
// to comment, and the text to text when given.
func (s *scanner) children(elem func(xml.StartElement, int64) error, comment func(Raw), text ...*strings.Builder) error {
	defer s.pop()
	for {
		at := s.d.InputOffset()
		tok, err := s.d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := elem(t, at); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		case xml.Comment:
			comment(Raw{XML: bytes.Clone(s.src[at:s.d.InputOffset()])})
		case xml.CharData:
			for _, b := range text {
				b.Write(t)
			}
		}
	}
}

// raw cuts out the element starting at offset at, adding to its start tag
// the declarations of the prefixes it uses but its ancestors declared.
func (s *scanner) raw(start xml.StartElement, at int64) (Raw, error) {
	if err := s.d.Skip(); err != nil {
		return Raw{}, err
	}
	el := s.src[at:s.d.InputOffset()]
	var decl strings.Builder
	for _, p := range s.borrowed(start, el) {
		if p == "" {
			decl.WriteString(` xmlns="` + attr(s.lookup("")) + `"`)
		} else {
			decl.WriteString(" xmlns:" + p + `="` + attr(s.lookup(p)) + `"`)
		}
	}
	name := bytes.IndexAny(el, " \t\r\n/>")
	if name < 0 {
		return Raw{}, fmt.Errorf("element <%s> cut badly", start.Name.Local)
	}
	out := make([]byte, 0, len(el)+decl.Len())
	out = append(append(append(out, el[:name]...), decl.String()...), el[name:]...)
	return Raw{XMLName: start.Name, XML: out}, nil
}

// borrowed are the prefixes in scope that el's bytes mention and it does
// not declare itself; the default namespace ("") when it differs from the
// one Parley writes. A prefix mentioned only in text is declared too: it
// may be a QName value (xsi:type).
func (s *scanner) borrowed(start xml.StartElement, el []byte) []string {
	own := declared(start)
	var out []string
	if !own[""] && s.lookup("") != Namespace {
		out = append(out, "")
	}
	for p, ns := range s.inScope() {
		if p != "" && ns != "" && !own[p] && bytes.Contains(el, []byte(p+":")) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// keptAttrs are start's attributes but the namespace declarations and
// the ones named in owned, with the prefix each was written with.
func (s *scanner) keptAttrs(start xml.StartElement, owned ...string) []Attr {
	var out []Attr
	for _, a := range start.Attr {
		if isDecl(a) || a.Name.Space == "" && slices.Contains(owned, a.Name.Local) {
			continue
		}
		if p, ok := s.prefixOf(a.Name.Space); ok {
			out = append(out, Attr{Prefix: p, Name: a.Name, Value: a.Value})
		}
	}
	return out
}

// prefixOf is a prefix bound to ns in scope; ok false for an attribute
// whose prefix the document never bound (the decoder leaves the prefix
// in Space): no namespace-aware reader accepts it, so it is not kept.
func (s *scanner) prefixOf(ns string) (string, bool) {
	switch ns {
	case "":
		return "", true
	case xmlURL:
		return "xml", true
	}
	for i := len(s.scopes) - 1; i >= 0; i-- {
		for p, v := range s.scopes[i] {
			if v == ns && p != "" && s.lookup(p) == ns {
				return p, true
			}
		}
	}
	return "", false
}

func (s *scanner) push(start xml.StartElement) {
	m := map[string]string{}
	for _, a := range start.Attr {
		switch {
		case a.Name.Space == "xmlns":
			m[a.Name.Local] = a.Value
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			m[""] = a.Value
		}
	}
	s.scopes = append(s.scopes, m)
}

func (s *scanner) pop() { s.scopes = s.scopes[:len(s.scopes)-1] }

func (s *scanner) lookup(p string) string {
	for i := len(s.scopes) - 1; i >= 0; i-- {
		if v, ok := s.scopes[i][p]; ok {
			return v
		}
	}
	return ""
}

func (s *scanner) inScope() map[string]string {
	m := map[string]string{}
	for _, sc := range s.scopes {
		for p, v := range sc {
			m[p] = v
		}
	}
	return m
}

func declared(start xml.StartElement) map[string]bool {
	m := map[string]bool{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" {
			m[a.Name.Local] = true
		} else if isDecl(a) {
			m[""] = true
		}
	}
	return m
}

func isDecl(a xml.Attr) bool {
	return a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
}

func ownAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
