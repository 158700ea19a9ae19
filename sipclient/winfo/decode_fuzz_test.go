package winfo

import (
	"errors"
	"reflect"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// FuzzDecode checks that Decode never panics and fails only with its own
// error classes; that whatever it accepts, Encode writes and Decode reads
// back unchanged; and that a Tracker accepts it as a first full document.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "*.xml",
		`<w:watcherinfo xmlns:w="urn:ietf:params:xml:ns:watcherinfo" version="1" state="partial"><w:watcher-list resource="r" package="p"><w:watcher id="i" status="waiting">u</w:watcher></w:watcher-list></w:watcherinfo>`,
		`<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full"><watcher-list resource="&#13;r&amp;" package="p"><watcher id="&#x85;" status="active" display-name="&#9;a&#10;b">x<![CDATA[<y>]]></watcher></watcher-list></watcherinfo>`,
		`<!DOCTYPE a [<!ENTITY a "b">]><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">&a;</watcherinfo>`,
		`<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="9223372036854775807" state="full"/>`,
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		out, err := Encode(doc)
		if err != nil {
			t.Fatalf("Encode of a decoded document: %v\n%+v", err, doc)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode of our own output: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, doc) {
			t.Fatalf("round trip changed the document:\nfirst  %+v\nsecond %+v\n%s", doc, again, out)
		}
		doc.State = StateFull
		var tr Tracker
		if _, err := tr.Apply(doc); err != nil {
			t.Fatalf("Apply of a decoded document: %v", err)
		}
		if _, err := Encode(tr.State()); err != nil {
			t.Fatalf("Encode of the tracked state: %v", err)
		}
	})
}
