package resourcelists

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// TestKeepsOtherClientsContent: foreign elements, prefixed attributes,
// xml:lang and comments come back as another client wrote them, each
// kept element declaring the prefixes it borrowed from its ancestors.
func TestKeepsOtherClientsContent(t *testing.T) {
	in := golden.Read(t, "other-clients.xml")
	got, err := Encode(golden.Decode(t, Decode, in, "other-clients.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := golden.Read(t, "other-clients.encoded.xml"); string(got) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if a, b := names(t, in), names(t, got); !reflect.DeepEqual(a, b) {
		t.Errorf("names read by a namespace-aware parser changed:\nbefore %q\nafter  %q", a, b)
	}
}

// TestKeptElementReviewCase: the reviewer's case, a prefixed element
// whose child uses the same prefix, stays declared.
func TestKeptElementReviewCase(t *testing.T) {
	in := []byte(`<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:other"><list name="A"><x:tag><x:sub>v</x:sub></x:tag></list></resource-lists>`)
	d, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`<x:tag xmlns:x="urn:other"><x:sub>v</x:sub></x:tag>`)) {
		t.Errorf("kept element:\n%s", out)
	}
	if a, b := names(t, in), names(t, out); !reflect.DeepEqual(a, b) {
		t.Errorf("names changed:\nbefore %q\nafter  %q", a, b)
	}
}

// TestRenameKeepsAttributes: Parley renaming a contact keeps the other
// attributes of its entry and display-name.
func TestRenameKeepsAttributes(t *testing.T) {
	d, err := Decode([]byte(`<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:copy"><list name="A"><entry uri="sip:bob@parley.test" cp:copy="yes"><display-name xml:lang="en">Bob</display-name></entry></list></resource-lists>`))
	if err != nil {
		t.Fatal(err)
	}
	d.Lists[0].Entries[0].DisplayName = "Robert"
	out, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<entry uri="sip:bob@parley.test" xmlns:cp="urn:copy" cp:copy="yes"><display-name xml:lang="en">Robert</display-name></entry>`; !bytes.Contains(out, []byte(want)) {
		t.Errorf("got:\n%s\nwant it to hold %s", out, want)
	}
}

// names are the expanded names of every element and attribute of doc as
// a namespace-aware parser reads them (declarations left out), sorted:
// the encoder may reorder a list's children but must not rename any.
func names(t *testing.T, doc []byte) []string {
	t.Helper()
	var out []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%v in:\n%s", err, doc)
		}
		if s, ok := tok.(xml.StartElement); ok {
			out = append(out, "{"+s.Name.Space+"}"+s.Name.Local)
			for _, a := range s.Attr {
				if !isDecl(a) {
					out = append(out, "@{"+a.Name.Space+"}"+a.Name.Local+"="+a.Value)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestCommentsKept(t *testing.T) {
	d, err := Decode([]byte(`<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><!-- top --><list name="A"><!-- in list --><entry uri="sip:a@parley.test"><!-- in entry --></entry></list></resource-lists>`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"<!-- top -->", "<!-- in list -->", "<!-- in entry -->"} {
		if !strings.Contains(string(out), c) {
			t.Errorf("%s lost:\n%s", c, out)
		}
	}
}

// TestExtensionsStayLast: an entry Parley adds goes before the elements
// of other namespaces a list ends with (RFC 4826 puts them last), and a
// comment stays above the entry it came before.
func TestExtensionsStayLast(t *testing.T) {
	d, err := Decode([]byte(`<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="A"><!-- about a --><entry uri="sip:a@parley.test"/><entry uri="sip:b@parley.test"/><x:ext xmlns:x="urn:other"/></list></resource-lists>`))
	if err != nil {
		t.Fatal(err)
	}
	d.Lists[0].Entries = append(d.Lists[0].Entries, Entry{URI: "sip:c@parley.test"})
	out, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `<list name="A">
  <!-- about a -->
  <entry uri="sip:a@parley.test"/>
  <entry uri="sip:b@parley.test"/>
  <entry uri="sip:c@parley.test"/>
  <x:ext xmlns:x="urn:other"/>
 </list>`
	if !strings.Contains(string(out), want) {
		t.Errorf("got:\n%s\nwant it to hold:\n%s", out, want)
	}
}
