package resourcelists

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// TestDecodeRFC4826 reads RFC 4826's example 3.3: entries, an entry-ref,
// a nested list with an external, display names.
func TestDecodeRFC4826(t *testing.T) {
	d := golden.Decode(t, Decode, golden.Read(t, "rfc4826-resource-lists.xml"), "RFC 4826 example")
	if len(d.Lists) != 1 || d.Lists[0].Name != "friends" {
		t.Fatalf("lists: %+v", d.Lists)
	}
	f := d.Lists[0]
	if len(f.Entries) != 1 || f.Entries[0].URI != "sip:bill@example.com" || f.Entries[0].DisplayName != "Bill Doe" {
		t.Errorf("friends' entries: %+v", f.Entries)
	}
	if len(f.Other) != 1 || f.Other[0].XMLName.Local != "entry-ref" {
		t.Errorf("friends' other elements: %+v", f.Other)
	}
	if len(f.Lists) != 1 || f.Lists[0].DisplayName != "Close Friends" || len(f.Lists[0].Entries) != 2 || len(f.Lists[0].Other) != 1 {
		t.Errorf("nested list: %+v", f.Lists)
	}
}

// TestRoundTripKeepsWhatParleyDoesNotUse: decoding and encoding again
// loses nothing (entry-ref, external, nested lists), so a write-back by
// Parley keeps another client's data.
func TestRoundTripKeepsWhatParleyDoesNotUse(t *testing.T) {
	for _, name := range []string{"rfc4826-resource-lists.xml", "parley-two-groups.xml"} {
		d := golden.Decode(t, Decode, golden.Read(t, name), name)
		b, err := Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		again := golden.Decode(t, Decode, b, name+" re-encoded")
		if !reflect.DeepEqual(d, again) {
			t.Errorf("%s: round trip changed it:\n%s", name, b)
		}
		if name == "rfc4826-resource-lists.xml" && (!strings.Contains(string(b), `<entry-ref ref="resource-lists/users/sip:bill@example.com/`) || !strings.Contains(string(b), "<external anchor=")) {
			t.Errorf("kept elements not written back:\n%s", b)
		}
	}
}

func TestEncodeGolden(t *testing.T) {
	got, err := Encode(Document{Lists: []List{
		{Name: "Contacts", Entries: []Entry{{URI: "sip:carol@parley.test"}}},
		{Name: "Work", Entries: []Entry{{URI: "sip:bob@parley.test", DisplayName: "Bob & Co <ops>"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := golden.Read(t, "parley-two-groups.xml"); string(got) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRefuses(t *testing.T) {
	for _, bad := range []string{"", "<x/>", `<resource-lists xmlns="urn:other"/>`, "<resource-lists"} {
		if _, err := Decode([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Decode(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := Encode(Document{Lists: []List{{Entries: []Entry{{URI: "sip:a@b\r\nX: y"}}}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Encode with a CRLF in a URI: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	golden.Seed(f, "*.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			return
		}
		out, err := Encode(d)
		if err != nil {
			return // e.g. an entry without a uri
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("re-encoded document does not decode: %v\n%s", err, out)
		}
		if twice, err := Encode(again); err != nil || !bytes.Equal(twice, out) {
			t.Fatalf("a second round trip changed it (%v):\n%s\nthen:\n%s", err, out, twice)
		}
	})
}
