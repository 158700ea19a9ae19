package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Node is one parsed element.
type Node struct {
	Name     xml.Name
	Attrs    []xml.Attr
	Text     []byte // direct character data, CDATA included, joined across comments
	Children []*Node
}

// Attr returns the value of the unqualified attribute local exactly as
// read (entities expanded, whitespace kept), and whether it is present.
func (n *Node) Attr(local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// Parse builds the element tree of body. It refuses DTDs (and so entity
// declarations), nesting deeper than maxDepth elements, stray text and
// more than one root.
func Parse(body []byte, maxDepth int) (*Node, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true // unknown entities are errors, never expanded
	b := builder{maxDepth: maxDepth}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Keep the words, drop the *xml.SyntaxError: callers classify
			// errors by their own sentinels only.
			return nil, errors.New(err.Error())
		}
		if err := b.push(tok); err != nil {
			return nil, err
		}
	}
	if b.root == nil {
		return nil, errors.New("no root element")
	}
	return b.root, nil
}

// builder holds the tree being built and its open elements.
type builder struct {
	maxDepth int
	root     *Node
	stack    []*Node
}

// push applies one token to the open-element stack.
func (b *builder) push(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if len(b.stack) >= b.maxDepth {
			return fmt.Errorf("nesting deeper than %d", b.maxDepth)
		}
		n := &Node{Name: t.Name, Attrs: t.Attr}
		if len(b.stack) > 0 {
			top := b.stack[len(b.stack)-1]
			top.Children = append(top.Children, n)
		} else if b.root != nil {
			return fmt.Errorf("second root element <%s>", t.Name.Local)
		} else {
			b.root = n
		}
		b.stack = append(b.stack, n)
	case xml.EndElement:
		b.stack = b.stack[:len(b.stack)-1] // Strict mode has matched the tags
	case xml.CharData:
		if len(b.stack) > 0 {
			top := b.stack[len(b.stack)-1]
			top.Text = append(top.Text, t...)
		} else if len(bytes.TrimSpace(t)) > 0 {
			return errors.New("text outside the root element")
		}
	case xml.Directive:
		// <!DOCTYPE> and <!ENTITY> are how billion-laughs attacks start.
		return errors.New("DTD or directive not allowed")
	}
	return nil
}
