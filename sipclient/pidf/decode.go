package pidf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// Decode parses a PIDF or CPIM-PIDF body. Prefixes do not matter, only
// namespaces and local names; unknown elements are ignored. The aggregate
// Basic is open if any tuple is open, closed if some tuple is closed and
// none open (tuples of unknown basic abstain), else unknown. The deciding
// tuple is the highest-priority tuple holding that value, first on ties.
func Decode(body []byte) (*Document, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	root, err := xmltree.Parse(body, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !isCore(root, "presence") {
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q",
			ErrNotPresence, root.Name.Local, root.Name.Space)
	}
	return decodePresence(root), nil
}

// decodePresence reads the children of <presence> and folds them into the
// aggregate view.
func decodePresence(root *xmltree.Node) *Document {
	doc := &Document{
		Entity:    strings.TrimSpace(attr(root, "entity")),
		Namespace: root.Name.Space,
	}
	var personActs, tupleActs activitySet
	var presenceNote, personNote string
	var persons []person
	for _, c := range root.Children {
		switch {
		case isCore(c, "tuple"):
			doc.Tuples = append(doc.Tuples, decodeTuple(c, &tupleActs))
		case isCore(c, "note"):
			keepFirst(&presenceNote, c)
		case is(c, NamespaceDM, "person"):
			p := readPerson(c)
			persons = append(persons, p)
			personActs.addAll(p.acts)
			personNote = firstNonEmpty(personNote, p.note)
		}
	}
	// The person speaks for the human; tuple activities (old RPID drafts
	// put them there) only add to it.
	personActs.addAll(tupleActs.list)
	doc.Activities = personActs.list

	var tupleNote string
	var best int
	doc.Basic, best = aggregate(doc.Tuples)
	if best >= 0 {
		doc.Contact = doc.Tuples[best].Contact
		tupleNote = doc.Tuples[best].Note
	}
	doc.Note = firstNonEmpty(personNote, presenceNote, tupleNote)
	if len(doc.Tuples) <= 1 || len(persons) == 0 || !composeDevices(doc, persons, presenceNote) {
		doc.UserInput = documentUserInput(root)
	}
	return doc
}

// decodeTuple reads one <tuple>; RPID activities found in it go to acts.
func decodeTuple(n *xmltree.Node, acts *activitySet) Tuple {
	t := Tuple{ID: attr(n, "id"), Basic: BasicUnknown, Priority: -1}
	for _, c := range n.Children {
		switch {
		case isCore(c, "status"):
			t.Basic = decodeStatus(c, acts)
		case isCore(c, "contact") && t.Contact == "":
			t.Contact = trimmed(c)
			t.Priority = parsePriority(attr(c, "priority"))
		case isCore(c, "note"):
			keepFirst(&t.Note, c)
		case isCore(c, "timestamp"):
			t.Timestamp = parseTimestamp(trimmed(c))
		case is(c, NamespaceRPID, "activities"):
			acts.addFrom(c)
		}
	}
	return t
}

// decodeStatus returns the first <basic> of a <status>. Pre-RFC 4480 RPID
// put activities inside status, so those are collected too.
func decodeStatus(n *xmltree.Node, acts *activitySet) Basic {
	b, seen := BasicUnknown, false
	for _, c := range n.Children {
		switch {
		case isCore(c, "basic") && !seen:
			b, seen = parseBasic(trimmed(c)), true
		case is(c, NamespaceRPID, "activities"):
			acts.addFrom(c)
		}
	}
	return b
}

// readPerson reads one <dm:person>.
func readPerson(n *xmltree.Node) person {
	p := person{id: attr(n, "id"), input: userInputIn(n)}
	var acts activitySet
	decodePerson(n, &p.note, &acts)
	p.acts = acts.list
	return p
}

// decodePerson reads a <dm:person>. Its note may come in the data-model or
// (from sloppy peers) the PIDF namespace.
func decodePerson(n *xmltree.Node, note *string, acts *activitySet) {
	for _, c := range n.Children {
		switch {
		case is(c, NamespaceRPID, "activities"):
			acts.addFrom(c)
		case is(c, NamespaceDM, "note") || isCore(c, "note"):
			keepFirst(note, c)
		}
	}
}

// parseBasic maps a <basic> value; the schema allows only open and closed,
// anything else ("?", empty) is unknown. Case is forgiven.
func parseBasic(s string) Basic {
	switch {
	case strings.EqualFold(s, string(BasicOpen)):
		return BasicOpen
	case strings.EqualFold(s, string(BasicClosed)):
		return BasicClosed
	}
	return BasicUnknown
}

// parsePriority reads a contact's qvalue; absent or out-of-range values
// (NaN included) become -1 so they sort below every real priority.
func parsePriority(s string) float64 {
	p, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(p >= 0 && p <= 1) {
		return -1
	}
	return p
}

// parseTimestamp reads an xs:dateTime; a bad one is dropped, not fatal.
func parseTimestamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// trimmed returns the element's text without surrounding whitespace; the
// seed's contact ends in a newline and spaces.
func trimmed(n *xmltree.Node) string {
	return string(bytes.TrimSpace(n.Text))
}

// keepFirst stores n's text in dst unless dst already holds a note: of
// several notes (one per xml:lang) the first non-empty one wins.
func keepFirst(dst *string, n *xmltree.Node) {
	if *dst == "" {
		*dst = trimmed(n)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
