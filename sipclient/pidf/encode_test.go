package pidf

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func awayDoc() *Document {
	return &Document{
		Entity:     "sip:pafnuty@academy.ru",
		Basic:      BasicOpen,
		Contact:    "sip:pafnuty@lecturehall21.academy.ru",
		Activities: []string{"away", "other:grading papers"},
		Note:       "Back at 3 & then <free>",
	}
}

func TestEncodePIDFGolden(t *testing.T) {
	got, err := Encode(awayDoc(), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-away-pidf.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, ct := range []string{ContentTypePIDF, ContentTypeCPIM} {
		for _, basic := range []Basic{BasicOpen, BasicClosed, BasicUnknown} {
			d := awayDoc()
			d.Basic = basic
			body, err := Encode(d, ct)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(body)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", ct, basic, err, body)
			}
			checkRoundTrip(t, ct, d, got)
		}
	}
}

func checkRoundTrip(t *testing.T, ct string, sent, got *Document) {
	t.Helper()
	wantNS, wantActs := NamespacePIDF, sent.Activities
	if ct == ContentTypeCPIM {
		wantNS, wantActs = NamespaceCPIM, nil // no RPID for legacy peers
	}
	if got.Namespace != wantNS || got.Entity != sent.Entity || got.Basic != sent.Basic ||
		got.Contact != sent.Contact || got.Note != sent.Note || !slices.Equal(got.Activities, wantActs) {
		t.Errorf("%s: sent %+v, got %+v", ct, sent, got)
	}
}

func TestEncodeCPIMHasNoRPID(t *testing.T) {
	body, err := Encode(awayDoc(), ContentTypeCPIM)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"rpid", "data-model", "dm:", NamespacePIDF + `"`} {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("CPIM body contains %q:\n%s", s, body)
		}
	}
}

// Text that looks like markup stays text, in every field.
func TestEncodeInjection(t *testing.T) {
	const evil = `</note><basic>open</basic><note>" onload='x' &amp; ]]>`
	d := &Document{
		Entity:     `sip:a@b"><tuple id="x`,
		Basic:      BasicClosed,
		Contact:    "sip:c@d</contact><basic>open",
		Note:       evil,
		Activities: []string{"other:" + evil},
		Tuples:     []Tuple{{ID: `t"><basic>open</basic><x y="`}},
	}
	for _, ct := range []string{ContentTypePIDF, ContentTypeCPIM} {
		body, err := Encode(d, ct)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", ct, err, body)
		}
		if got.Basic != BasicClosed || len(got.Tuples) != 1 || got.Note != strings.TrimSpace(evil) ||
			got.Entity != d.Entity || got.Contact != d.Contact {
			t.Errorf("%s: injected:\n%s\n%+v", ct, body, got)
		}
	}
}

func TestEncodeTupleID(t *testing.T) {
	for id, want := range map[string]string{
		"": "t1", "452426775": "t452426775", "bs35r9": "bs35r9", "a b<c": "abc", "<>": "t1", "-x": "t-x",
	} {
		d := &Document{Entity: "sip:a@b", Tuples: []Tuple{{ID: id}}}
		body, err := Encode(d, ContentTypePIDF)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(body, []byte(`<tuple id="`+want+`">`)) {
			t.Errorf("ID %q: want %q in\n%s", id, want, body)
		}
	}
}

func TestEncodeContentTypes(t *testing.T) {
	d := &Document{Entity: "sip:a@b", Basic: BasicOpen}
	for ct, ns := range map[string]string{
		"": NamespacePIDF, ContentTypePIDF: NamespacePIDF, ContentTypeCPIM: NamespaceCPIM,
		"Application/PIDF+XML; charset=UTF-8": NamespacePIDF,
	} {
		body, err := Encode(d, ct)
		if err != nil {
			t.Fatalf("%q: %v", ct, err)
		}
		if !bytes.Contains(body, []byte(`<presence xmlns="`+ns+`"`)) {
			t.Errorf("%q: want namespace %s in\n%s", ct, ns, body)
		}
	}
	for _, ct := range []string{"text/plain", "application/xml", "application/pidf", ";;"} {
		if _, err := Encode(d, ct); !errors.Is(err, ErrContentType) {
			t.Errorf("%q: got %v", ct, err)
		}
	}
}

func TestEncodeInvalid(t *testing.T) {
	for name, d := range map[string]*Document{
		"nil":       nil,
		"no entity": {Basic: BasicOpen},
		"basic":     {Entity: "sip:a@b", Basic: "busy"},
		"activity":  {Entity: "sip:a@b", Activities: []string{"lunch break"}},
	} {
		if _, err := Encode(d, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	d := awayDoc()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(d, ContentTypePIDF); err != nil {
			b.Fatal(err)
		}
	}
}
