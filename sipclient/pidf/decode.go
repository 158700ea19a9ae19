package pidf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
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
	root, err := parse(body)
	if err != nil {
		return nil, err
	}
	if !root.isCore("presence") {
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q",
			ErrNotPresence, root.name.Local, root.name.Space)
	}
	return decodePresence(root), nil
}

// decodePresence reads the children of <presence> and folds them into the
// aggregate view.
func decodePresence(root *node) *Document {
	doc := &Document{
		Entity:    strings.TrimSpace(root.attr("entity")),
		Namespace: root.name.Space,
	}
	var personActs, tupleActs activitySet
	var presenceNote, personNote string
	for _, c := range root.children {
		switch {
		case c.isCore("tuple"):
			doc.Tuples = append(doc.Tuples, decodeTuple(c, &tupleActs))
		case c.isCore("note"):
			keepFirst(&presenceNote, c)
		case c.is(NamespaceDM, "person"):
			decodePerson(c, &personNote, &personActs)
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
	return doc
}

// decodeTuple reads one <tuple>; RPID activities found in it go to acts.
func decodeTuple(n *node, acts *activitySet) Tuple {
	t := Tuple{ID: n.attr("id"), Basic: BasicUnknown, Priority: -1}
	for _, c := range n.children {
		switch {
		case c.isCore("status"):
			t.Basic = decodeStatus(c, acts)
		case c.isCore("contact") && t.Contact == "":
			t.Contact = c.trimmed()
			t.Priority = parsePriority(c.attr("priority"))
		case c.isCore("note"):
			keepFirst(&t.Note, c)
		case c.isCore("timestamp"):
			t.Timestamp = parseTimestamp(c.trimmed())
		case c.is(NamespaceRPID, "activities"):
			acts.addFrom(c)
		}
	}
	return t
}

// decodeStatus returns the first <basic> of a <status>. Pre-RFC 4480 RPID
// put activities inside status, so those are collected too.
func decodeStatus(n *node, acts *activitySet) Basic {
	b, seen := BasicUnknown, false
	for _, c := range n.children {
		switch {
		case c.isCore("basic") && !seen:
			b, seen = parseBasic(c.trimmed()), true
		case c.is(NamespaceRPID, "activities"):
			acts.addFrom(c)
		}
	}
	return b
}

// decodePerson reads a <dm:person>. Its note may come in the data-model or
// (from sloppy peers) the PIDF namespace.
func decodePerson(n *node, note *string, acts *activitySet) {
	for _, c := range n.children {
		switch {
		case c.is(NamespaceRPID, "activities"):
			acts.addFrom(c)
		case c.is(NamespaceDM, "note") || c.isCore("note"):
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
func (n *node) trimmed() string {
	return string(bytes.TrimSpace(n.text))
}

// keepFirst stores n's text in dst unless dst already holds a note: of
// several notes (one per xml:lang) the first non-empty one wins.
func keepFirst(dst *string, n *node) {
	if *dst == "" {
		*dst = n.trimmed()
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
