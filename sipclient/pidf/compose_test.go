package pidf

import (
	"slices"
	"strings"
	"testing"
)

// composed is what Kamailio's presence_xml NOTIFYs for an address with
// two devices that each PUBLISHed: a laptop away, a phone available
// (Parley writes no person for plain availability without a note), and a
// desk phone closed.
func composed(phonePerson string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@parley.test">
 <tuple id="tlaptop"><status><basic>open</basic></status><contact>sip:alice@10.0.0.2</contact><note>laptop idle</note></tuple>
 <dm:person id="ptlaptop"><rpid:activities><rpid:away/></rpid:activities><dm:note>laptop idle</dm:note></dm:person>
 <tuple id="tdesk"><status><basic>closed</basic></status></tuple>
 <tuple id="tphone"><status><basic>open</basic></status><contact>sip:alice@10.0.0.3</contact></tuple>
` + phonePerson + `</presence>`
}

func TestComposedDevicesMostAvailableWins(t *testing.T) {
	for name, phone := range map[string]string{
		"phone without person": "",
		"phone with note":      ` <dm:person id="ptphone"><dm:note>on my phone</dm:note></dm:person>` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := Decode([]byte(composed(phone)))
			if err != nil {
				t.Fatal(err)
			}
			wantNote := ""
			if phone != "" {
				wantNote = "on my phone"
			}
			if doc.Basic != BasicOpen || len(doc.Activities) != 0 || doc.Note != wantNote || doc.Contact != "sip:alice@10.0.0.3" {
				t.Errorf("got basic %s, activities %v, note %q, contact %q; want the phone, open and available",
					doc.Basic, doc.Activities, doc.Note, doc.Contact)
			}
		})
	}
}

// Only away devices left open: the away one speaks; a closed one does not.
func TestComposedDevicesAllBusy(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@parley.test">
 <tuple id="ta"><status><basic>closed</basic></status></tuple>
 <tuple id="tb"><status><basic>open</basic></status><contact>sip:alice@10.0.0.4</contact></tuple>
 <dm:person id="ptb"><rpid:activities><rpid:busy/></rpid:activities><dm:note>meeting</dm:note></dm:person>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != BasicOpen || !slices.Equal(doc.Activities, []string{"busy"}) || doc.Note != "meeting" {
		t.Errorf("got %s %v %q", doc.Basic, doc.Activities, doc.Note)
	}
}

// Idle or not is the chosen device's: a laptop left idle does not make
// the phone in use read idle; the idle laptop alone does.
func TestComposedDevicesUserInputOfTheChosenDevice(t *testing.T) {
	laptopIdle := strings.Replace(composed(` <dm:person id="ptphone"><rpid:user-input>active</rpid:user-input></dm:person>`+"\n"),
		`<dm:note>laptop idle</dm:note>`, `<dm:note>laptop idle</dm:note><rpid:user-input>idle</rpid:user-input>`, 1)
	doc, err := Decode([]byte(laptopIdle))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Contact != "sip:alice@10.0.0.3" || doc.UserInput.State == InputIdle {
		t.Errorf("phone in use shown with user-input %q (contact %q)", doc.UserInput.State, doc.Contact)
	}
	alone := strings.Replace(laptopIdle, `<tuple id="tphone"><status><basic>open</basic>`, `<tuple id="tphone"><status><basic>closed</basic>`, 1)
	if doc, err = Decode([]byte(alone)); err != nil || doc.UserInput.State != InputIdle {
		t.Errorf("the idle laptop alone: user-input %q, %v", doc.UserInput.State, err)
	}
}
