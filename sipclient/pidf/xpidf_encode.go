package pidf

import (
	"bytes"
	"strconv"
	"strings"
)

// xpidfDoctype is what every XPIDF sender writes; receivers that were
// built against those senders may expect it.
const xpidfDoctype = `<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">`

// EncodeXPIDF writes d as XPIDF, for watchers that accept nothing else:
// one atom with one address, in the shape Asterisk's chan_sip writes.
// XPIDF knows only open and closed, so BasicUnknown is written closed.
// Of the activities, the first XPIDF can name goes into <msnsubstatus>;
// on-the-phone and busy also make the status "inuse", as Asterisk does.
// The note, which XPIDF lacks, is written as a <note> in the address,
// where DecodeXPIDF reads it and other receivers ignore it.
func EncodeXPIDF(d *Document) ([]byte, error) {
	if _, err := checkDocument(d); err != nil {
		return nil, err
	}
	status, sub := xpidfStatus(d)
	contact := strings.TrimSpace(firstNonEmpty(strings.TrimSpace(d.Contact), d.Entity))
	priority := 0.8
	if len(d.Tuples) > 0 && d.Tuples[0].Priority >= 0 {
		priority = d.Tuples[0].Priority
	}
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xpidfDoctype + "\n<presence>\n")
	b.WriteString(`<presentity uri="`)
	escape(&b, strings.TrimSpace(d.Entity)+";method=SUBSCRIBE")
	b.WriteString("\"/>\n<atom id=\"" + tupleID(d) + "\">\n<address uri=\"")
	escape(&b, contact)
	b.WriteString(`" priority="` + strconv.FormatFloat(priority, 'f', 6, 64) + "\">\n")
	b.WriteString(`<status status="` + status + "\"/>\n")
	b.WriteString(`<msnsubstatus substatus="` + sub + "\"/>\n")
	writeElement(&b, "", "note", d.Note)
	b.WriteString("</address>\n</atom>\n</presence>\n")
	return b.Bytes(), nil
}

// xpidfStatus picks the <status> and <msnsubstatus> values for d.
func xpidfStatus(d *Document) (status, sub string) {
	if d.Basic != BasicOpen {
		return "closed", "offline"
	}
	for _, a := range d.Activities {
		switch a = strings.ToLower(strings.TrimSpace(a)); a {
		case "on-the-phone":
			return "inuse", "onthephone"
		case "busy":
			return "inuse", "busy"
		case "away":
			return "open", "away"
		case "meal":
			return "open", "outtolunch"
		}
	}
	return "open", "online"
}
