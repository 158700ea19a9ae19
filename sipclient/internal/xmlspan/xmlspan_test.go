package xmlspan

import (
	"encoding/xml"
	"errors"
	"testing"
)

var (
	root  = xml.Name{Space: "urn:x", Local: "list"}
	child = xml.Name{Space: "urn:x", Local: "item"}
)

// Another client's children, comments and prefixes stay byte for byte;
// the children refused go, the added ones come last.
func TestSpliceKeepsOthersBytes(t *testing.T) {
	doc := []byte(`<?xml version="1.0"?>
<list xmlns="urn:x" xmlns:o="urn:other"><!-- theirs -->
 <item id="theirs" o:flag="1"><o:x/></item>
 <item id="mine">old</item>
 <o:item id="not-ours-namespace"/>
</list>
`)
	d, err := Parse(doc, root, child, "id")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Children) != 2 || d.Children[0].Key != "theirs" || string(d.Bytes(d.Children[1])) != `<item id="mine">old</item>` {
		t.Fatalf("children %+v", d.Children)
	}
	got := string(d.Splice(func(s Span) bool { return s.Key != "mine" }, []byte(`<item id="mine">new</item>`)))
	want := `<?xml version="1.0"?>
<list xmlns="urn:x" xmlns:o="urn:other"><!-- theirs -->
 <item id="theirs" o:flag="1"><o:x/></item>
 <o:item id="not-ours-namespace"/>
 <item id="mine">new</item>
</list>
`
	if got != want {
		t.Errorf("spliced:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, doc := range []string{``, `<other xmlns="urn:x"/>`, `<list xmlns="urn:y"/>`, `<list xmlns="urn:x"><item>`, `not xml`} {
		if _, err := Parse([]byte(doc), root, child, "id"); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
}

// A root written self-closed (<list/>, as servers store an empty
// document) is opened to take the children added, and closed after them.
func TestSpliceSelfClosedRoot(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`<list xmlns="urn:x"/>`, "<list xmlns=\"urn:x\">\n <item id=\"mine\"/>\n</list>"},
		{`<?xml version="1.0"?>` + "\n" + `<p:list xmlns:p="urn:x" a="1" />` + "\n",
			`<?xml version="1.0"?>` + "\n" + "<p:list xmlns:p=\"urn:x\" a=\"1\">\n <item id=\"mine\"/>\n</p:list>\n"},
	} {
		d, err := Parse([]byte(tc.doc), root, child, "id")
		if err != nil {
			t.Fatalf("%q: %v", tc.doc, err)
		}
		got := string(d.Splice(func(Span) bool { return true }, []byte(`<item id="mine"/>`)))
		if got != tc.want {
			t.Errorf("spliced %q:\n%s\nwant:\n%s", tc.doc, got, tc.want)
		}
		if _, err := Parse([]byte(got), root, child, "id"); err != nil {
			t.Errorf("the result does not parse: %v", err)
		}
	}
}
