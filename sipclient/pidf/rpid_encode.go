package pidf

import (
	"bytes"
	"fmt"
	"strings"
)

// activity is an RPID activity ready to write: an element name, plus text
// for <rpid:other>.
type activity struct {
	name, text string
}

// toActivities checks Document.Activities. Names must be plain XML names;
// "other:text" (or bare "other") becomes <rpid:other>text</rpid:other>.
func toActivities(names []string) ([]activity, error) {
	var out []activity
	for _, a := range names {
		a = strings.TrimSpace(a)
		lower := strings.ToLower(a)
		switch {
		case lower == "other":
			out = append(out, activity{name: "other"})
		case len(a) >= len(otherPrefix) && strings.EqualFold(a[:len(otherPrefix)], otherPrefix):
			out = append(out, activity{name: "other", text: a[len(otherPrefix):]})
		case isActivityName(lower):
			out = append(out, activity{name: lower})
		default:
			return nil, fmt.Errorf("%w: activity %q is not an RPID name", ErrInvalid, a)
		}
	}
	return out, nil
}

// writePerson writes the <dm:person> carrying activities and the note;
// its ID is the tuple's with a "p" in front, so the two never collide.
func writePerson(b *bytes.Buffer, tupleID string, acts []activity, input UserInput, note string) {
	b.WriteString(" <dm:person id=\"p")
	b.WriteString(tupleID)
	b.WriteString("\">\n")
	if len(acts) > 0 {
		b.WriteString("  <rpid:activities>\n")
		for _, a := range acts {
			writeActivity(b, a)
		}
		b.WriteString("  </rpid:activities>\n")
	}
	writeUserInput(b, input)
	writeElement(b, "  ", "dm:note", note)
	b.WriteString(" </dm:person>\n")
}

func writeActivity(b *bytes.Buffer, a activity) {
	text := strings.TrimSpace(a.text)
	if a.name != "other" || text == "" {
		b.WriteString("   <rpid:")
		b.WriteString(a.name)
		b.WriteString("/>\n")
		return
	}
	b.WriteString("   <rpid:other>")
	escape(b, text)
	b.WriteString("</rpid:other>\n")
}
