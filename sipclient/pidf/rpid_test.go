package pidf

import (
	"slices"
	"testing"
)

func TestDecodeActivities(t *testing.T) {
	doc := decodeFile(t, "rpid-on-the-phone.xml")
	want := []string{"on-the-phone", "other:Planning the demo", "busy"}
	if !slices.Equal(doc.Activities, want) {
		t.Errorf("activities %q, want %q", doc.Activities, want)
	}
	if doc.Note != "On a call until 3pm" {
		t.Errorf("note %q, want the person's first", doc.Note)
	}
}

// Pre-RFC 4480 peers put activities in the tuple or its status; the
// person's come first and repeats are dropped.
func TestDecodeTupleActivities(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid"
 xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:a@b">
 <tuple id="t"><status><basic>open</basic><r:activities><r:busy/><r:away/></r:activities></status>
  <r:activities><r:lunch/></r:activities></tuple>
 <dm:person id="p"><r:activities><r:away/><r:unknown/><x:holiday xmlns:x="urn:example"/></r:activities></dm:person>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"away", "unknown", "busy", "lunch"}
	if !slices.Equal(doc.Activities, want) {
		t.Errorf("activities %q, want %q", doc.Activities, want)
	}
}

func TestIsActivityName(t *testing.T) {
	for s, want := range map[string]bool{
		"away": true, "on-the-phone": true, "_x.1": true,
		"": false, "1st": false, "-a": false, "Away": false, "a b": false,
		"a/><x": false, "a:b": false, "café": false,
	} {
		if got := isActivityName(s); got != want {
			t.Errorf("isActivityName(%q) = %v", s, got)
		}
	}
}

func TestToActivities(t *testing.T) {
	got, err := toActivities([]string{"Away", " on-the-phone ", "other:Lunch <b>", "OTHER:x", "other"})
	if err != nil {
		t.Fatal(err)
	}
	want := []activity{{"away", ""}, {"on-the-phone", ""}, {"other", "Lunch <b>"}, {"other", "x"}, {"other", ""}}
	if !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	for _, bad := range []string{"", "lunch break", "away/><rpid:busy", "日本"} {
		if _, err := toActivities([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
