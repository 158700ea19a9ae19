package pidf

import "slices"

// Several devices on one address each PUBLISH their own document; the
// presence server composes them into one with every device's tuple and
// person side by side (Kamailio's presence_xml does so, keeping the IDs
// each device chose). Read as one person, their activities would add up
// and the first note win: a laptop left "away" would hide the phone in
// use. So when there are several persons, the document speaks with the
// voice of the most available device.

// person is one <dm:person> of a document.
type person struct {
	id    string
	acts  []string
	note  string
	input UserInput // the device's user-input (RFC 4480 3.4), if any
}

// composeDevices picks, among the tuples that hold the aggregate basic
// (open wins), the one whose device is most available: its person (the
// one whose ID is the tuple's with a "p" in front, as Parley writes it;
// a device with neither activity nor note writes none) has no activity,
// i.e. is plainly available. Ties go to priority, then document order.
// The document's activities, note and contact become that device's. When
// no tuple has a person of its own the persons are not per device, and
// their union stays.
func composeDevices(doc *Document, persons []person, presenceNote string) (composed bool) {
	byID := make(map[string]*person, len(persons))
	for i := range persons {
		byID[persons[i].id] = &persons[i]
	}
	if !slices.ContainsFunc(doc.Tuples, func(t Tuple) bool { return byID["p"+t.ID] != nil }) {
		return false
	}
	best, bestRank := -1, 0
	for i, t := range doc.Tuples {
		if t.Basic != doc.Basic {
			continue
		}
		rank := availability(byID["p"+t.ID])
		if best < 0 || rank < bestRank || rank == bestRank && t.Priority > doc.Tuples[best].Priority {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return false
	}
	t := doc.Tuples[best]
	doc.Activities, doc.Contact, doc.Note = nil, t.Contact, firstNonEmpty(presenceNote, t.Note)
	doc.UserInput = UserInput{}
	if p := byID["p"+t.ID]; p != nil {
		// Idle or not is the chosen device's too: a laptop left idle
		// must not make a phone in use read "idle".
		doc.Activities, doc.Note, doc.UserInput = p.acts, firstNonEmpty(p.note, presenceNote, t.Note), p.input
	}
	return true
}

// availability ranks a device by its person's activities: none (plainly
// available, or no person at all) before any.
func availability(p *person) int {
	if p == nil || len(p.acts) == 0 {
		return 0
	}
	return 1
}
