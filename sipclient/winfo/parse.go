package winfo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDepth bounds element nesting. A watcherinfo document is three levels
// deep; extensions add a few more. The bound keeps hostile input cheap.
const maxDepth = 32

// node is a parsed element: the decoder walks this small tree instead of
// the token stream, so each element kind is read by one short function.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     []byte // direct character data, CDATA included
	children []*node
}

// parse builds the element tree of body. It refuses DTDs (and so entity
// declarations), deep nesting, stray text and more than one root.
func parse(body []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true // unknown entities are errors, never expanded
	var root *node
	var stack []*node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		stack, root, err = push(stack, root, tok)
		if err != nil {
			return nil, err
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return root, nil
}

// push applies one token to the open-element stack.
func push(stack []*node, root *node, tok xml.Token) ([]*node, *node, error) {
	switch t := tok.(type) {
	case xml.StartElement:
		if len(stack) >= maxDepth {
			return nil, nil, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, maxDepth)
		}
		n := &node{name: t.Name, attrs: t.Attr}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			top.children = append(top.children, n)
		} else if root != nil {
			return nil, nil, fmt.Errorf("%w: second root element <%s>", ErrMalformed, t.Name.Local)
		} else {
			root = n
		}
		stack = append(stack, n)
	case xml.EndElement:
		stack = stack[:len(stack)-1] // Strict mode has matched the tags
	case xml.CharData:
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			top.text = append(top.text, t...)
		} else if len(bytes.TrimSpace(t)) > 0 {
			return nil, nil, fmt.Errorf("%w: text outside the root element", ErrMalformed)
		}
	case xml.Directive:
		// <!DOCTYPE> and <!ENTITY> are how billion-laughs attacks start.
		return nil, nil, fmt.Errorf("%w: DTD or directive not allowed", ErrMalformed)
	}
	return stack, root, nil
}

// is reports whether n is the watcherinfo element local.
func (n *node) is(local string) bool {
	return n.name.Local == local && n.name.Space == Namespace
}

// attr returns the unqualified attribute local with surrounding whitespace
// removed, and whether it was present.
func (n *node) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}
