package presrules

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Common-policy and pres-rules namespaces.
const (
	nsPolicy = "urn:ietf:params:xml:ns:common-policy"
	nsRules  = "urn:ietf:params:xml:ns:pres-rules"
)

// parleyRule prefixes the id of the rules Parley writes; rules with any
// other id are another client's, and are kept as they are.
const parleyRule = "parley-"

// span is one rule element of a document, as bytes.
type span struct {
	start, end int64
	id         string
}

// scan finds the ruleset's rules; ErrInvalid when doc is not a ruleset.
func scan(doc []byte) (rootEnd, closeStart int64, rules []span, err error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Space != nsPolicy || t.Name.Local != "ruleset" {
					return 0, 0, nil, fmt.Errorf("%w: root <%s>", ErrInvalid, t.Name.Local)
				}
				rootEnd = d.InputOffset()
			}
			if depth == 2 && t.Name.Space == nsPolicy && t.Name.Local == "rule" {
				rules = append(rules, span{start: before, id: attrValue(t, "id")})
			}
		case xml.EndElement:
			if depth == 2 && len(rules) > 0 && rules[len(rules)-1].end == 0 && t.Name.Local == "rule" {
				rules[len(rules)-1].end = d.InputOffset()
			}
			if depth == 1 {
				closeStart = before
			}
			depth--
		}
	}
	if rootEnd == 0 || closeStart == 0 {
		return 0, 0, nil, fmt.Errorf("%w: no ruleset", ErrInvalid)
	}
	return rootEnd, closeStart, rules, nil
}

func attrValue(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Parley returns what Parley's own rules in doc say: the handling of
// each watcher they name. An empty doc has none.
func Parley(doc []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(bytes.TrimSpace(doc)) == 0 {
		return out, nil
	}
	_, _, rules, err := scan(doc)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if !strings.HasPrefix(r.id, parleyRule) {
			continue
		}
		var x struct {
			Ones []struct {
				ID string `xml:"id,attr"`
			} `xml:"conditions>identity>one"`
			Handling string `xml:"actions>sub-handling"`
		}
		if err := xml.Unmarshal(doc[r.start:r.end], &x); err != nil {
			return nil, fmt.Errorf("%w: rule %s: %w", ErrInvalid, r.id, err)
		}
		for _, one := range x.Ones {
			out[one.ID] = strings.TrimSpace(x.Handling)
		}
	}
	return out, nil
}

// Merge returns doc (the document at the server; empty when there is
// none) with Parley's rules replaced by handling; every other rule, and
// everything else in the document, is kept byte for byte.
func Merge(doc []byte, handling map[string]string) ([]byte, error) {
	fresh, err := Encode(handling)
	if err != nil || len(bytes.TrimSpace(doc)) == 0 {
		return fresh, err
	}
	rootEnd, closeStart, rules, err := scan(doc)
	if err != nil {
		return nil, err
	}
	_, _, ours, err := scan(fresh)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(doc[:rootEnd])
	for _, r := range rules {
		if !strings.HasPrefix(r.id, parleyRule) {
			b.WriteString("\n ")
			b.Write(doc[r.start:r.end])
		}
	}
	for _, r := range ours {
		b.WriteString("\n ")
		b.Write(selfContained(fresh[r.start:r.end]))
	}
	b.WriteString("\n")
	b.Write(doc[closeStart:])
	return b.Bytes(), nil
}

// selfContained declares on a rule of ours the prefixes it uses, since
// another client's root may bind other ones.
func selfContained(rule []byte) []byte {
	return bytes.Replace(rule, []byte("<cr:rule "),
		[]byte(`<cr:rule xmlns:cr="`+nsPolicy+`" xmlns:pr="`+nsRules+`" `), 1)
}
