package pidf

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDecodeRFC3863Simple(t *testing.T) {
	doc := decodeFile(t, "rfc3863-simple.xml")
	if doc.Namespace != NamespacePIDF || doc.Entity != "pres:someone@example.com" ||
		doc.Basic != BasicOpen || doc.Contact != "tel:+09012345678" ||
		len(doc.Tuples) != 1 || doc.Tuples[0].Priority != 0.8 {
		t.Errorf("got %+v", doc)
	}
}

// RFC 3863 section 6: two open tuples; the mailto: contact has the higher
// priority, and the document-level note wins over the tuple's.
func TestDecodeRFC3863MultipleTuples(t *testing.T) {
	doc := decodeFile(t, "rfc3863-multiple-tuples.xml")
	if doc.Basic != BasicOpen || doc.Contact != "mailto:someone@example.com" {
		t.Errorf("basic %q contact %q", doc.Basic, doc.Contact)
	}
	if doc.Note != "I'll be in Tokyo next week" {
		t.Errorf("note %q", doc.Note)
	}
	if len(doc.Tuples) != 2 {
		t.Fatalf("%d tuples", len(doc.Tuples))
	}
	im := doc.Tuples[0]
	stamp := time.Date(2001, 10, 27, 16, 49, 29, 0, time.UTC)
	if im.ID != "bs35r9" || im.Contact != "im:someone@mobilecarrier.net" || im.Priority != 0.8 ||
		im.Note != "Don't Disturb Please!" || !im.Timestamp.Equal(stamp) {
		t.Errorf("first tuple %+v", im)
	}
}

func TestDecodeRFC4480(t *testing.T) {
	doc := decodeFile(t, "rfc4480-rpid.xml")
	if doc.Basic != BasicOpen || doc.Contact != "mailto:secretary@example.com" {
		t.Errorf("basic %q contact %q", doc.Basic, doc.Contact)
	}
	// Only <rpid:activities> counts: the mood's <rpid:other> and the
	// activities' <rpid:note> are not activities.
	if !slices.Equal(doc.Activities, []string{"away"}) {
		t.Errorf("activities %q", doc.Activities)
	}
	if doc.Note != "Scoring 120" {
		t.Errorf("note %q, want the person's", doc.Note)
	}
}

func TestDecodePrefixes(t *testing.T) {
	body := `<?xml version="1.0"?>
<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:x="urn:ietf:params:xml:ns:pidf:data-model"
  xmlns:y="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b">
 <p:tuple id="t"><p:status><p:basic>open</p:basic></p:status><p:contact>sip:a@c</p:contact></p:tuple>
 <x:person id="q"><y:activities><y:meeting/></y:activities><x:note>In a meeting</x:note></x:person>
</p:presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != BasicOpen || doc.Contact != "sip:a@c" || doc.Note != "In a meeting" ||
		!slices.Equal(doc.Activities, []string{"meeting"}) {
		t.Errorf("got %+v", doc)
	}
}

// A familiar prefix bound to a foreign namespace is someone else's element.
func TestDecodeIgnoresForeignNamespaces(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
 <tuple id="t" xmlns:x="urn:example:other"><status><x:basic>open</x:basic><basic>closed</basic></status>
  <x:contact>sip:wrong@b</x:contact><x:tuple/></tuple>
 <x:note xmlns:x="urn:example:other">not ours</x:note>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != BasicClosed || doc.Contact != "" || doc.Note != "" {
		t.Errorf("got %+v", doc)
	}
}

func TestDecodeBasicValues(t *testing.T) {
	for status, want := range map[string]Basic{
		"<basic>open</basic>":      BasicOpen,
		"<basic> closed\n</basic>": BasicClosed,
		"<basic>OPEN</basic>":      BasicOpen,
		"<basic>?</basic>":         BasicUnknown,
		"<basic></basic>":          BasicUnknown,
		"<basic/>":                 BasicUnknown,
		"":                         BasicUnknown,
		"<basic>busy</basic>":      BasicUnknown,
		"<basic>open<b/></basic>x": BasicOpen,
		"<basic>closed</basic><basic>open</basic>": BasicClosed,
	} {
		body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t"><status>` +
			status + `</status></tuple></presence>`
		doc, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", status, err)
		}
		if doc.Basic != want || doc.Tuples[0].Basic != want {
			t.Errorf("%s: got %q, want %q", status, doc.Basic, want)
		}
	}
}

func TestDecodeNoTuples(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
 xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b">
 <dm:person id="p"><rpid:activities><rpid:vacation/></rpid:activities></dm:person>
 <note>gone fishing</note>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != BasicUnknown || doc.Note != "gone fishing" ||
		!slices.Equal(doc.Activities, []string{"vacation"}) {
		t.Errorf("got %+v", doc)
	}
}

func TestDecodePriorityAndTimestamp(t *testing.T) {
	for attr, want := range map[string]float64{
		``: -1, `priority="0"`: 0, `priority=" 1.0 "`: 1, `priority="1.5"`: -1,
		`priority="-0.2"`: -1, `priority="NaN"`: -1, `priority="high"`: -1,
	} {
		body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t">` +
			`<status/><contact ` + attr + `>sip:a@c</contact><timestamp>yesterday</timestamp></tuple></presence>`
		doc, err := Decode([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Tuples[0]; got.Priority != want || !got.Timestamp.IsZero() {
			t.Errorf("%s: priority %v timestamp %v", attr, got.Priority, got.Timestamp)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	const ok = `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>`
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"blank", " \r\n", ErrMalformed},
		{"not XML", "open", ErrMalformed},
		{"unclosed", `<presence xmlns="urn:ietf:params:xml:ns:pidf">`, ErrMalformed},
		{"mismatched", `<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple></status></presence>`, ErrMalformed},
		{"undefined entity", `<presence xmlns="urn:ietf:params:xml:ns:pidf"><note>&lol;</note></presence>`, ErrMalformed},
		{"doctype", `<!DOCTYPE presence>` + ok, ErrMalformed},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
			`<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` +
			`<presence xmlns="urn:ietf:params:xml:ns:pidf"><note>&lol2;</note></presence>`, ErrMalformed},
		{"directive inside", `<presence xmlns="urn:ietf:params:xml:ns:pidf"><!ENTITY x "y"></presence>`, ErrMalformed},
		{"two roots", ok + ok, ErrMalformed},
		{"trailing text", ok + "junk", ErrMalformed},
		{"deep nesting", strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000), ErrMalformed},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + ok, ErrMalformed},
		{"wrong root", `<presense xmlns="urn:ietf:params:xml:ns:pidf"/>`, ErrNotPresence},
		{"no namespace", `<presence entity="sip:a@b"/>`, ErrNotPresence},
		{"foreign namespace", `<presence xmlns="urn:example:presence"/>`, ErrNotPresence},
		{"rpid root", `<activities xmlns="urn:ietf:params:xml:ns:pidf:rpid"/>`, ErrNotPresence},
		{"oversize", ok[:len(ok)-2] + ">" + strings.Repeat(" ", MaxBodySize) + "</presence>", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) || doc != nil {
				t.Errorf("got (%v, %v), want %v", doc, err, tt.want)
			}
		})
	}
}

// A body exactly at the limit is still read.
func TestDecodeAtSizeLimit(t *testing.T) {
	head := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">`
	tail := `</presence>`
	body := head + strings.Repeat(" ", MaxBodySize-len(head)-len(tail)) + tail
	if _, err := Decode([]byte(body)); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeNoteTakesFirst(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
 <note xml:lang="en">  </note><note xml:lang="en"> Lunch &amp; <![CDATA[<coffee>]]> </note><note xml:lang="fr">Déjeuner</note>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Note != "Lunch & <coffee>" {
		t.Errorf("note %q", doc.Note)
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"seed-05-notify-open.xml", "rfc4480-rpid.xml"} {
		body := readTestdata(b, name)
		b.Run(strings.TrimSuffix(name, ".xml"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Decode(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
