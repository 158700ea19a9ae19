package pidf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

var seedBodies = []struct{ sip, copy string }{
	{"03-notify-closed.sip", "seed-03-notify-closed.xml"},
	{"05-notify-open.sip", "seed-05-notify-open.xml"},
}

// The testdata copies must stay byte-identical to the flow's bodies.
func TestSeedCopiesMatchShared(t *testing.T) {
	for _, s := range seedBodies {
		msg, err := os.ReadFile(filepath.Join(sharedFlow, s.sip))
		if os.IsNotExist(err) {
			t.Skipf("%s absent; testdata copies stand in", sharedFlow)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := sipBody(t, msg); !bytes.Equal(got, readTestdata(t, s.copy)) {
			t.Errorf("testdata/%s differs from the body of %s", s.copy, s.sip)
		}
	}
}

func TestDecodeSeedClosed(t *testing.T) {
	doc := decodeFile(t, "seed-03-notify-closed.xml")
	want := Tuple{ID: "452426775", Basic: BasicClosed, Priority: -1}
	if doc.Entity != "sip:poisson@probability.org" || doc.Namespace != NamespaceCPIM ||
		doc.Basic != BasicClosed || doc.Contact != "" || doc.Note != "" ||
		len(doc.Tuples) != 1 || doc.Tuples[0] != want {
		t.Errorf("got %+v", doc)
	}
}

func TestDecodeSeedOpen(t *testing.T) {
	doc := decodeFile(t, "seed-05-notify-open.xml")
	contact := "sip:s.possion@dist.probability.org;transport=tcp" // newline and spaces trimmed
	if doc.Basic != BasicOpen || doc.Contact != contact || doc.Namespace != NamespaceCPIM {
		t.Errorf("got basic %q contact %q namespace %q", doc.Basic, doc.Contact, doc.Namespace)
	}
	if len(doc.Tuples) != 1 || doc.Tuples[0].Contact != contact {
		t.Errorf("tuples %+v", doc.Tuples)
	}
}

// Re-encoding the flow's open NOTIFY gives the flow's shape back; only the
// numeric tuple ID, not a valid XML ID, gains a letter.
func TestEncodeSeedCPIM(t *testing.T) {
	doc := decodeFile(t, "seed-05-notify-open.xml")
	got, err := Encode(doc, ContentTypeCPIM)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-seed-05-cpim.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
