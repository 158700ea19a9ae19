package presrules

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/parley-im/parley/sipclient/internal/xmlspan"
)

// Common-policy and pres-rules namespaces.
const (
	nsPolicy = "urn:ietf:params:xml:ns:common-policy"
	nsRules  = "urn:ietf:params:xml:ns:pres-rules"
)

// parleyRule prefixes the id of the rules Parley writes; rules with any
// other id are another client's, and are kept as they are.
const parleyRule = "parley-"

// scan splits a ruleset document at its rules; ErrInvalid when doc is
// not one.
func scan(doc []byte) (*xmlspan.Doc, error) {
	d, err := xmlspan.Parse(doc, xml.Name{Space: nsPolicy, Local: "ruleset"}, xml.Name{Space: nsPolicy, Local: "rule"}, "id")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return d, nil
}

func ours(r xmlspan.Span) bool { return strings.HasPrefix(r.Key, parleyRule) }

// Parley returns what Parley's own rules in doc say: the handling of
// each watcher they name. An empty doc has none.
func Parley(doc []byte) (map[string]string, error) {
	out := map[string]string{}
	if len(bytes.TrimSpace(doc)) == 0 {
		return out, nil
	}
	d, err := scan(doc)
	if err != nil {
		return nil, err
	}
	for _, r := range d.Children {
		if !ours(r) {
			continue
		}
		var x struct {
			Ones []struct {
				ID string `xml:"id,attr"`
			} `xml:"conditions>identity>one"`
			Handling string `xml:"actions>sub-handling"`
		}
		if err := xml.Unmarshal(d.Bytes(r), &x); err != nil {
			return nil, fmt.Errorf("%w: rule %s: %w", ErrInvalid, r.Key, err)
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
	d, err := scan(doc)
	if err != nil {
		return nil, err
	}
	f, err := scan(fresh)
	if err != nil {
		return nil, err
	}
	added := make([][]byte, len(f.Children))
	for i, r := range f.Children {
		added[i] = selfContained(f.Bytes(r))
	}
	return d.Splice(func(r xmlspan.Span) bool { return !ours(r) }, added...), nil
}

// selfContained declares on a rule of ours the prefixes it uses, since
// another client's root may bind other ones.
func selfContained(rule []byte) []byte {
	return bytes.Replace(rule, []byte("<cr:rule "),
		[]byte(`<cr:rule xmlns:cr="`+nsPolicy+`" xmlns:pr="`+nsRules+`" `), 1)
}
