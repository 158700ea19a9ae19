package pidf

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

func decodeXPIDFFile(t testing.TB, name string) *Document {
	t.Helper()
	doc, err := DecodeXPIDF(readTestdata(t, name))
	if err != nil {
		t.Fatalf("DecodeXPIDF(%s): %v", name, err)
	}
	return doc
}

// Real XPIDF shapes: Asterisk's chan_sip (DOCTYPE, "inuse", and in old
// builds a priority printed with a decimal comma), Asterisk's res_pjsip
// (pjsip's atomid next to Asterisk's id, no DOCTYPE; element shape of
// res_pjsip_xpidf_body_generator, whitespace ours), a Polycom phone and
// eXosip (Linphone 3), both with the DOCTYPE over two lines.
func TestDecodeXPIDFGoldens(t *testing.T) {
	tests := []struct {
		file     string
		entity   string
		basic    Basic
		contact  string
		priority float64
		acts     []string
		id       string
	}{
		{"xpidf-asterisk-chan_sip-inuse.xml", "sip:1000@192.0.2.10", BasicOpen,
			"sip:1000@192.0.2.10;user=ip", 0.8, []string{"on-the-phone"}, "1000"},
		{"xpidf-asterisk-chan_sip-comma.xml", "sip:1001@192.0.2.10", BasicClosed,
			"sip:1001@192.0.2.10;user=ip", 0.8, nil, "1001"},
		{"xpidf-asterisk-pjsip.xml", "sip:1002@192.0.2.10", BasicOpen,
			"sip:1002@192.0.2.20:5060;user=ip", 0.8, nil, "1002"},
		{"xpidf-polycom.xml", "sip:192.0.2.41:5060", BasicOpen,
			"sip:192.0.2.86;user=ip", 0.8, nil, "1004"},
		{"xpidf-exosip-busy.xml", "sip:carol@example.org", BasicOpen,
			"sip:carol@example.org;user=ip", 0.8, []string{"busy"}, "1000"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := decodeXPIDFFile(t, tt.file)
			if doc.Entity != tt.entity || doc.Basic != tt.basic || doc.Contact != tt.contact ||
				!slices.Equal(doc.Activities, tt.acts) || doc.Namespace != "" {
				t.Errorf("got %+v", doc)
			}
			if len(doc.Tuples) != 1 || doc.Tuples[0].Priority != tt.priority || doc.Tuples[0].ID != tt.id {
				t.Errorf("tuples %+v", doc.Tuples)
			}
		})
	}
}

func TestDecodeXPIDFLenient(t *testing.T) {
	const open = `<presence><presentity uri="sip:a@b;METHOD=SUBSCRIBE"/>`
	tests := []struct {
		name, body string
		basic      Basic
		acts       []string
		note       string
	}{
		{"Latin-1 declared", "<?xml version='1.0' encoding='ISO-8859-1'?>" + open +
			"<atom id=\"1\"><address uri=\"sip:a@c\"><status status=\"open\"/><note>Caf\xe9</note></address></atom></presence>",
			BasicOpen, nil, "Café"},
		{"inuse without substatus", open + `<atom id="1"><address uri="sip:a@c"><status status="INUSE"/></address></atom></presence>`,
			BasicOpen, []string{"on-the-phone"}, ""},
		{"open beats closed across atoms", open + `<atom id="1"><address uri="sip:a@c"><status status="closed"/></address></atom>` +
			`<atom id="2"><address uri="sip:a@d"><status status="open"/><msnsubstatus substatus="berightback"/></address></atom></presence>`,
			BasicOpen, []string{"away"}, ""},
		{"no status", open + `<atom id="1"><address uri="sip:a@c"/></atom><note> gone fishing </note></presence>`,
			BasicUnknown, nil, "gone fishing"},
		{"PIDF under the XPIDF name", `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t"><status><basic>closed</basic></status></tuple></presence>`,
			BasicClosed, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := DecodeXPIDF([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Entity != "sip:a@b" || doc.Basic != tt.basic || !slices.Equal(doc.Activities, tt.acts) || doc.Note != tt.note {
				t.Errorf("got %+v", doc)
			}
		})
	}
}

func TestDecodeXPIDFErrors(t *testing.T) {
	const ok = `<presence><presentity uri="sip:a@b"/></presence>`
	tests := []struct {
		name, body string
		want       error
	}{
		{"empty", "", ErrMalformed},
		{"internal subset", `<!DOCTYPE presence [<!ENTITY a "b">]>` + ok, ErrMalformed},
		{"DOCTYPE quoting a bracket is fine, a second DOCTYPE is not", `<!DOCTYPE presence PUBLIC "[" "x"><!DOCTYPE presence>` + ok, ErrMalformed},
		{"unterminated DOCTYPE", `<!DOCTYPE presence PUBLIC "x`, ErrMalformed},
		{"unterminated declaration", `<?xml version="1.0"`, ErrMalformed},
		{"unsupported encoding", `<?xml version="1.0" encoding="UTF-16"?>` + ok, ErrMalformed},
		{"entity in the body", `<presence>&a;</presence>`, ErrMalformed},
		{"wrong root", `<watcherinfo/>`, ErrNotPresence},
		{"foreign namespace", `<presence xmlns="urn:example"/>`, ErrNotPresence},
		{"oversize", ok + strings.Repeat(" ", MaxBodySize), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := DecodeXPIDF([]byte(tt.body))
			if !errors.Is(err, tt.want) || doc != nil {
				t.Fatalf("got (%+v, %v), want %v", doc, err, tt.want)
			}
		})
	}
}

// Asterisk's res_pjsip sends its XPIDF document as cpim-pidf+xml too.
func TestDecodeFor(t *testing.T) {
	xpidf := readTestdata(t, "xpidf-asterisk-pjsip.xml")
	for _, ct := range []string{ContentTypeXPIDF, ContentTypeCPIM, "Application/PIDF+XML; charset=utf-8"} {
		doc, err := DecodeFor(ct, xpidf)
		if err != nil || doc.Basic != BasicOpen || doc.Entity != "sip:1002@192.0.2.10" {
			t.Errorf("%s: (%+v, %v)", ct, doc, err)
		}
	}
	if doc, err := DecodeFor(ContentTypePIDF, readTestdata(t, "rfc3863-simple.xml")); err != nil || doc.Namespace != NamespacePIDF {
		t.Errorf("pidf: (%+v, %v)", doc, err)
	}
	if _, err := DecodeFor(ContentTypePIDF, []byte(`<presence xmlns="urn:example"/>`)); !errors.Is(err, ErrNotPresence) {
		t.Errorf("foreign: %v", err)
	}
	for _, ct := range []string{"text/plain", "", "a/b; ="} {
		if _, err := DecodeFor(ct, xpidf); !errors.Is(err, ErrContentType) {
			t.Errorf("%q: %v", ct, err)
		}
	}
}

func TestEncodeXPIDFGolden(t *testing.T) {
	doc := &Document{Entity: "sip:alice@parley.test", Basic: BasicOpen, Contact: "sip:alice@192.0.2.7:5060",
		Activities: []string{"vacation", "on-the-phone"}, Note: `On a call & "busy"`}
	got, err := EncodeXPIDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-xpidf.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEncodeXPIDFStatuses(t *testing.T) {
	tests := []struct {
		basic       Basic
		acts        []string
		status, sub string
	}{
		{BasicOpen, nil, "open", "online"},
		{BasicOpen, []string{"busy"}, "inuse", "busy"},
		{BasicOpen, []string{"Away"}, "open", "away"},
		{BasicOpen, []string{"meal"}, "open", "outtolunch"},
		{BasicClosed, []string{"on-the-phone"}, "closed", "offline"},
		{BasicUnknown, nil, "closed", "offline"},
		{"", nil, "closed", "offline"},
	}
	for _, tt := range tests {
		out, err := EncodeXPIDF(&Document{Entity: "sip:a@b", Basic: tt.basic, Activities: tt.acts})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out, []byte(`<status status="`+tt.status+`"/>`)) ||
			!bytes.Contains(out, []byte(`<msnsubstatus substatus="`+tt.sub+`"/>`)) {
			t.Errorf("%s %v:\n%s", tt.basic, tt.acts, out)
		}
	}
	if _, err := EncodeXPIDF(&Document{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no entity: %v", err)
	}
}

// FuzzDecodeXPIDF checks that DecodeXPIDF never panics, fails only with
// its own classes, and that what it reads survives EncodeXPIDF and
// DecodeXPIDF as far as XPIDF can carry it: basic (unknown becomes
// closed), the note, and the first activity XPIDF names when open.
func FuzzDecodeXPIDF(f *testing.F) {
	golden.Seed(f, "xpidf-*.xml")
	f.Add([]byte("<?xml encoding='latin1'?><!DOCTYPE p '>'><presence><atom><address><status status='inuse'/><note>\xff</note></address></atom></presence>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := DecodeXPIDF(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotPresence) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if strings.TrimSpace(doc.Entity) == "" {
			doc.Entity = "sip:fuzz@example.com"
		}
		out, err := EncodeXPIDF(doc)
		if err != nil {
			t.Fatalf("EncodeXPIDF of a decoded document: %v", err)
		}
		again, err := DecodeXPIDF(out)
		if err != nil {
			t.Fatalf("DecodeXPIDF of our own output: %v\n%s", err, out)
		}
		wantBasic, wantActs := doc.Basic, xpidfKept(doc)
		if wantBasic != BasicOpen {
			wantBasic = BasicClosed
		}
		if again.Basic != wantBasic || again.Note != doc.Note || !slices.Equal(again.Activities, wantActs) {
			t.Fatalf("round trip:\nfirst  %+v\nsecond %+v\n%s", doc, again, out)
		}
	})
}

// xpidfKept returns the activities an XPIDF round trip keeps of doc.
func xpidfKept(doc *Document) []string {
	if doc.Basic != BasicOpen {
		return nil
	}
	for _, a := range doc.Activities {
		switch a {
		case "on-the-phone", "busy", "away", "meal":
			return []string{a}
		}
	}
	return nil
}
