package account

import (
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/resourcelists"
)

func rc(uri, name, group string) Contact {
	id, err := identity.Parse(uri)
	if err != nil {
		panic(err)
	}
	return Contact{ID: id, URI: uri, Name: name, Group: group}
}

func rs(cs ...Contact) roster {
	r := roster{}
	for _, c := range cs {
		r[c.ID] = c
	}
	return r
}

func TestMerge3(t *testing.T) {
	bob, carol, dave := rc("sip:bob@parley.test", "Bob", ""), rc("sip:carol@parley.test", "Carol", "Work"), rc("sip:dave@parley.test", "", "")
	cases := []struct {
		name                string
		base, local, server roster
		want                roster
		conflicts           int
	}{
		{"first sign-in is a union", nil, rs(bob), rs(carol), rs(bob, carol), 0},
		{"added here", rs(bob), rs(bob, carol), rs(bob), rs(bob, carol), 0},
		{"added elsewhere", rs(bob), rs(bob), rs(bob, carol), rs(bob, carol), 0},
		{"removed here", rs(bob, carol), rs(bob), rs(bob, carol), rs(bob), 0},
		{"removed elsewhere", rs(bob, carol), rs(bob, carol), rs(bob), rs(bob), 0},
		{"one adds, the other removes", rs(bob, carol), rs(bob, carol, dave), rs(bob), rs(bob, dave), 0},
		{"renamed elsewhere", rs(bob), rs(bob), rs(rc("sip:bob@parley.test", "Robert", "")), rs(rc("sip:bob@parley.test", "Robert", "")), 0},
		{"renamed here", rs(bob), rs(rc("sip:bob@parley.test", "Robert", "")), rs(bob), rs(rc("sip:bob@parley.test", "Robert", "")), 0},
		{"a name only one side has", nil, rs(rc("sip:bob@parley.test", "", "Work")), rs(rc("sip:bob@parley.test", "Bob", "")), rs(rc("sip:bob@parley.test", "Bob", "Work")), 0},
		{"named differently on both: the server's, and asked",
			nil, rs(bob), rs(rc("sip:bob@parley.test", "Robert", "")), rs(rc("sip:bob@parley.test", "Robert", "")), 1},
	}
	for _, tc := range cases {
		got := merge3(tc.base, tc.local, tc.server)
		if !sameRoster(got.result, tc.want) || len(got.conflicts) != tc.conflicts {
			t.Errorf("%s: got %v (%d conflicts), want %v (%d)", tc.name, got.result, len(got.conflicts), tc.want, tc.conflicts)
		}
	}
}

// TestApplyRosterKeepsOthers: writing a change touches only the changed
// contacts' entries: another client's second listing of a contact and its
// entry-ref stay.
func TestApplyRosterKeepsOthers(t *testing.T) {
	d, err := resourcelists.Decode([]byte(`<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
 <list name="Work"><entry uri="sip:bob@parley.test"><display-name>Bob</display-name></entry><entry-ref ref="x"/></list>
 <list name="Friends"><entry uri="sip:bob@parley.test"/><entry uri="sip:carol@parley.test"/></list>
</resource-lists>`))
	if err != nil {
		t.Fatal(err)
	}
	server := rosterOf(d)
	if c := server[rc("sip:bob@parley.test", "", "").ID]; c.Group != "Work" || c.Name != "Bob" {
		t.Fatalf("bob read as %+v", c)
	}
	want := rs(rc("sip:bob@parley.test", "Bob", "Work"), rc("sip:dave@parley.test", "Dave", ""))
	applyRoster(&d, server, want)
	b, err := resourcelists.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, s := range []string{`<entry-ref ref="x"/>`, `<list name="Friends">
  <entry uri="sip:bob@parley.test"/>
 </list>`, `<list name="Contacts">
  <entry uri="sip:dave@parley.test"><display-name>Dave</display-name></entry>`} {
		if !contains(got, s) {
			t.Errorf("missing %q in:\n%s", s, got)
		}
	}
	if contains(got, "carol") {
		t.Errorf("carol not removed:\n%s", got)
	}
	if again := rosterOf(golden(t, b)); !sameRoster(again, want) {
		t.Errorf("document now holds %v, want %v", again, want)
	}
}

func golden(t *testing.T, b []byte) resourcelists.Document {
	t.Helper()
	d, err := resourcelists.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
