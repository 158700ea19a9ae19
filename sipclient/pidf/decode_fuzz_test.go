package pidf

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// FuzzDecode checks that Decode never panics, fails only with its own
// error classes, and that whatever it accepts survives Encode and Decode
// with the same Basic, Note and Activities.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "*.xml",
		`<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" entity="e"><p:tuple id="1"><p:status><p:basic>?</p:basic></p:status></p:tuple></p:presence>`,
		`<presence xmlns="urn:ietf:params:xml:ns:cpim-pidf"><note>&#13;&amp;<![CDATA[x]]></note></presence>`,
		`<!DOCTYPE a [<!ENTITY a "b">]><presence xmlns="urn:ietf:params:xml:ns:pidf">&a;</presence>`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotPresence) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if strings.TrimSpace(doc.Entity) == "" {
			doc.Entity = "sip:fuzz@example.com" // Encode insists on one
		}
		again := reencode(t, doc)
		if again.Basic != doc.Basic || again.Note != doc.Note || !slices.Equal(again.Activities, doc.Activities) {
			t.Fatalf("round trip changed the document:\nfirst  %+v\nsecond %+v", doc, again)
		}
	})
}

func reencode(t *testing.T, doc *Document) *Document {
	t.Helper()
	out, err := Encode(doc, ContentTypePIDF)
	if err != nil {
		t.Fatalf("Encode of a decoded document: %v", err)
	}
	again, err := Decode(out)
	if err != nil {
		t.Fatalf("Decode of our own output: %v\n%s", err, out)
	}
	return again
}
