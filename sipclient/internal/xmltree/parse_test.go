package xmltree

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestParseTreeShape(t *testing.T) {
	body := `<?xml version="1.0"?>
<!-- before the root -->
<r:root xmlns:r="urn:r" xmlns="urn:d" id=" 1 " r:id="q">one<a>x<![CDATA[<y>]]><!-- c -->z</a><b/>two &amp; <?pi x?>three</r:root>
`
	root, err := Parse([]byte(body), 8)
	if err != nil {
		t.Fatal(err)
	}
	if root.Name != (xml.Name{Space: "urn:r", Local: "root"}) {
		t.Errorf("root name %+v", root.Name)
	}
	if got := string(root.Text); got != "onetwo & three" {
		t.Errorf("root text %q", got)
	}
	if len(root.Children) != 2 {
		t.Fatalf("%d children, want 2", len(root.Children))
	}
	a, b := root.Children[0], root.Children[1]
	if a.Name != (xml.Name{Space: "urn:d", Local: "a"}) || string(a.Text) != "x<y>z" || len(a.Children) != 0 {
		t.Errorf("first child %+v, text %q", a.Name, a.Text)
	}
	if b.Name.Local != "b" || b.Text != nil || b.Children != nil {
		t.Errorf("second child %+v", b)
	}
}

func TestAttr(t *testing.T) {
	root, err := Parse([]byte(`<e xmlns:p="urn:p" p:only="ns" id=" 1&#10;" empty=""/>`), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		local, want string
		ok          bool
	}{
		{"id", " 1\n", true}, // as read: callers decide about whitespace
		{"empty", "", true},
		{"only", "", false}, // qualified attributes are not unqualified ones
		{"missing", "", false},
	} {
		if got, ok := root.Attr(tt.local); got != tt.want || ok != tt.ok {
			t.Errorf("Attr(%q) = (%q, %v), want (%q, %v)", tt.local, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDepthBound(t *testing.T) {
	nest := func(n int) []byte {
		return []byte(strings.Repeat("<a>", n) + strings.Repeat("</a>", n))
	}
	if _, err := Parse(nest(5), 5); err != nil {
		t.Errorf("depth 5 of 5: %v", err)
	}
	_, err := Parse(nest(6), 5)
	if err == nil || err.Error() != "nesting deeper than 5" {
		t.Errorf("depth 6 of 5: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	const ok = `<a/>`
	for _, tt := range []struct{ name, body, want string }{
		{"empty", "", "no root element"},
		{"blank", " \r\n", "no root element"},
		{"doctype", `<!DOCTYPE a>` + ok, "DTD or directive not allowed"},
		{"entity declaration", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, "DTD or directive not allowed"},
		{"directive inside", `<a><!ENTITY x "y"></a>`, "DTD or directive not allowed"},
		{"second root", ok + `<b/>`, "second root element <b>"},
		{"text before", "junk" + ok, "text outside the root element"},
		{"text after", ok + "junk", "text outside the root element"},
		{"undefined entity", `<a>&x;</a>`, "XML syntax error on line 1: invalid character entity &x;"},
		{"unclosed", `<a>`, "XML syntax error on line 1: unexpected EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root, err := Parse([]byte(tt.body), 4)
			if err == nil || err.Error() != tt.want || root != nil {
				t.Fatalf("got (%v, %v), want error %q", root, err, tt.want)
			}
			// Callers classify errors with their own sentinels; encoding/xml
			// types stay out of the chain.
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				t.Errorf("error wraps %T", se)
			}
		})
	}
	if _, err := Parse([]byte(" \n"+ok+"\n "), 1); err != nil {
		t.Errorf("whitespace around the root: %v", err)
	}
}

// FuzzParse checks that Parse never panics, and that a tree it returns
// respects the depth bound and has no nil nodes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<a xmlns="urn:x" b="&#13;c"><d>e<![CDATA[<f>]]><!-- g --></d><h/></a>`,
		`<!DOCTYPE a [<!ENTITY a "b">]><a>&a;</a>`,
		`<a><a><a><a><a></a></a></a></a></a>`,
	} {
		f.Add([]byte(s))
	}
	const maxDepth = 4
	f.Fuzz(func(t *testing.T, body []byte) {
		root, err := Parse(body, maxDepth)
		if err != nil {
			if root != nil {
				t.Fatalf("tree with error %v", err)
			}
			return
		}
		var walk func(n *Node, depth int)
		walk = func(n *Node, depth int) {
			if n == nil {
				t.Fatal("nil node")
			}
			if depth > maxDepth {
				t.Fatalf("depth %d over the bound %d", depth, maxDepth)
			}
			for _, c := range n.Children {
				walk(c, depth+1)
			}
		}
		walk(root, 1)
	})
}
