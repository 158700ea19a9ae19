package iscomposing

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// readTestdata returns testdata/name.
var readTestdata = golden.Read

func TestDecodeGoldens(t *testing.T) {
	tests := []struct {
		file string
		want Indication
	}{
		// RFC 3994 section 7.
		{"rfc3994-active.xml", Indication{State: StateActive, ContentType: "text/plain", Refresh: 90 * time.Second}},
		{"rfc3994-idle.xml", Indication{State: StateIdle, ContentType: "audio",
			LastActive: time.Date(2003, 1, 27, 10, 43, 0, 0, time.UTC)}},
		// liblinphone's IsComposing::createXml: no pretty printing, refresh
		// only when active (60 s by default).
		{"linphone-active.xml", Indication{State: StateActive, Refresh: 60 * time.Second}},
		{"linphone-idle.xml", Indication{State: StateIdle}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Decode(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !same(got, &tt.want) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func same(a, b *Indication) bool {
	return a.State == b.State && a.ContentType == b.ContentType && a.Refresh == b.Refresh && a.LastActive.Equal(b.LastActive)
}

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name, body string
		want       Indication
	}{
		{"prefix and case", `<c:isComposing xmlns:c="urn:ietf:params:xml:ns:im-iscomposing"><c:state> Active </c:state></c:isComposing>`,
			Indication{State: StateActive}},
		{"no namespace", `<isComposing><state>idle</state></isComposing>`, Indication{State: StateIdle}},
		{"bad refresh and lastactive read as absent", `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state>` +
			`<refresh>-5</refresh><lastactive>yesterday</lastactive></isComposing>`, Indication{State: StateActive}},
		{"foreign elements and repeats", `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing" xmlns:x="urn:x"><x:state>idle</x:state>` +
			`<state>active</state><state>idle</state><x:refresh>1</x:refresh></isComposing>`, Indication{State: StateActive}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.body))
			if err != nil || !same(got, &tt.want) {
				t.Errorf("got (%+v, %v)", got, err)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"empty", "", ErrMalformed},
		{"doctype", `<!DOCTYPE isComposing><isComposing/>`, ErrMalformed},
		{"deep", strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20), ErrMalformed},
		{"wrong root", `<imdn xmlns="urn:ietf:params:xml:ns:imdn"/>`, ErrNotComposing},
		{"foreign namespace", `<isComposing xmlns="urn:x"><state>active</state></isComposing>`, ErrNotComposing},
		{"no state", `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"/>`, ErrInvalid},
		{"unknown state", `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>typing</state></isComposing>`, ErrInvalid},
		{"oversize", `<isComposing>` + strings.Repeat(" ", MaxBodySize) + `</isComposing>`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) || got != nil {
				t.Fatalf("got (%+v, %v), want %v", got, err, tt.want)
			}
		})
	}
}

func TestEncodeGolden(t *testing.T) {
	in := &Indication{State: StateActive, ContentType: "text/plain", Refresh: 90 * time.Second,
		LastActive: time.Date(2003, 1, 27, 10, 43, 0, 0, time.UTC)}
	got, err := Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-active.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, in := range []*Indication{nil, {State: "typing"}, {State: StateActive, Refresh: -time.Second},
		{State: StateActive, Refresh: 1500 * time.Millisecond}} {
		if out, err := Encode(in); !errors.Is(err, ErrInvalid) || out != nil {
			t.Errorf("%+v: got (%s, %v)", in, out, err)
		}
	}
}

func TestTimeout(t *testing.T) {
	if d := (&Indication{State: StateActive}).Timeout(); d != DefaultTimeout {
		t.Errorf("default %v", d)
	}
	if d := (&Indication{State: StateActive, Refresh: time.Minute}).Timeout(); d != time.Minute {
		t.Errorf("refresh %v", d)
	}
}

// FuzzDecode checks that Decode never panics, fails only with its own
// classes, and that what it accepts survives Encode and Decode.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		f.Add(readTestdata(f, filepath.Base(name)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotComposing) &&
				!errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		out, err := Encode(in)
		if err != nil {
			t.Fatalf("Encode of a decoded indication: %v", err)
		}
		again, err := Decode(out)
		if err != nil || !same(again, in) {
			t.Fatalf("round trip: (%+v, %v), want %+v\n%s", again, err, in, out)
		}
	})
}
