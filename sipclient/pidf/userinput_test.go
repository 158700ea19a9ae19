package pidf

import (
	"bytes"
	"testing"
	"time"
)

// The automatic Away on the wire: RFC 4480 §3.4 user-input idle in the
// person, with the threshold and the last input.
func TestEncodeUserInputGolden(t *testing.T) {
	d := &Document{
		Entity: "sip:pafnuty@academy.ru", Basic: BasicOpen,
		Contact: "sip:pafnuty@lecturehall21.academy.ru", Activities: []string{"away"}, Note: "Lecturing",
		UserInput: UserInput{State: InputIdle, Threshold: 5 * time.Minute,
			LastInput: time.Date(2026, 12, 7, 15, 5, 0, 0, time.FixedZone("CET", 3600))},
	}
	got, err := Encode(d, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-idle-pidf.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	back, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.UserInput.State != InputIdle || !back.UserInput.LastInput.Equal(d.UserInput.LastInput) || back.UserInput.Threshold != 5*time.Minute {
		t.Errorf("read back %+v", back.UserInput)
	}
}

// RFC 4480's example puts user-input in a <dm:device>.
func TestDecodeUserInputRFC4480(t *testing.T) {
	doc := decodeFile(t, "rfc4480-rpid.xml")
	want := time.Date(2004, 10, 21, 18, 20, 0, 0, time.UTC)
	if !doc.UserInput.Idle() || !doc.UserInput.LastInput.Equal(want) || doc.UserInput.Threshold != 10*time.Minute {
		t.Errorf("user-input %+v", doc.UserInput)
	}
}

// A person's word wins over a device's; a value RFC 4480 does not define
// says nothing; no user-input, no idle.
func TestDecodeUserInputPlaces(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"person over device", `<dm:device id="d"><rpid:user-input>idle</rpid:user-input></dm:device>
 <dm:person id="p"><rpid:user-input>active</rpid:user-input></dm:person>`, InputActive},
		{"tuple", `<tuple id="u"><status><basic>open</basic></status><rpid:user-input> IDLE </rpid:user-input></tuple>`, InputIdle},
		{"unknown value", `<dm:person id="p"><rpid:user-input>asleep</rpid:user-input></dm:person>`, ""},
		{"none", `<dm:person id="p"><dm:note>hi</dm:note></dm:person>`, ""},
	} {
		body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
 xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@b">
 <tuple id="t"><status><basic>open</basic></status></tuple>
 ` + tc.body + `
</presence>`
		doc, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if doc.UserInput.State != tc.want {
			t.Errorf("%s: state %q, want %q", tc.name, doc.UserInput.State, tc.want)
		}
	}
}
