package account

import (
	"slices"
	"strings"

	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/resourcelists"
)

// UngroupedList is the resource list that holds contacts without a group:
// a list is a group, and every entry must be in one.
const UngroupedList = "Contacts"

func listOf(group string) string {
	if group == "" {
		return UngroupedList
	}
	return group
}

func groupOf(list string) string {
	if list == UngroupedList {
		return ""
	}
	return list
}

// rosterOf reads the contacts of a resource-lists document: the entries
// of its top-level lists, each list a group. A contact in several lists
// counts in the first; entries that name nobody are ignored here (and kept
// in the document).
func rosterOf(d resourcelists.Document) roster {
	r := roster{}
	for _, l := range d.Lists {
		for _, e := range l.Entries {
			id, err := identity.Parse(e.URI)
			if err != nil {
				continue
			}
			if _, ok := r[id]; !ok {
				r[id] = Contact{ID: id, URI: e.URI, Name: e.DisplayName, Group: groupOf(l.Name)}
			}
		}
	}
	return r
}

// applyRoster changes d, which holds server, so that it holds want: only
// the entries of contacts that changed are touched, so what another client
// keeps there (a contact in two lists, extension data) stays.
func applyRoster(d *resourcelists.Document, server, want roster) {
	for i := range d.Lists {
		l := &d.Lists[i]
		kept := l.Entries[:0]
		for _, e := range l.Entries {
			if e, ok := applyEntry(e, l.Name, server, want); ok {
				kept = append(kept, e)
			}
		}
		l.Entries = kept
	}
	for _, c := range want.sorted() {
		if s, ok := server[c.ID]; ok && listOf(s.Group) == listOf(c.Group) {
			continue
		}
		addEntry(d, listOf(c.Group), resourcelists.Entry{URI: c.URI, DisplayName: c.Name})
	}
}

// applyEntry is entry e of list after the change: ok false drops it.
func applyEntry(e resourcelists.Entry, list string, server, want roster) (resourcelists.Entry, bool) {
	id, err := identity.Parse(e.URI)
	if err != nil {
		return e, true
	}
	s, inS := server[id]
	w, inW := want[id]
	switch {
	case !inW:
		return e, false // removed
	case !inS || (s.Name == w.Name && s.Group == w.Group):
		return e, true
	case list == listOf(s.Group) && listOf(s.Group) != listOf(w.Group):
		return e, false // moved to another group: added there
	}
	e.DisplayName = w.Name
	return e, true
}

func addEntry(d *resourcelists.Document, list string, e resourcelists.Entry) {
	for i := range d.Lists {
		if d.Lists[i].Name == list {
			d.Lists[i].Entries = append(d.Lists[i].Entries, e)
			return
		}
	}
	d.Lists = append(d.Lists, resourcelists.List{Name: list, Entries: []resourcelists.Entry{e}})
}

// sorted lists r's contacts by address, so documents come out the same
// way each time.
func (r roster) sorted() []Contact {
	out := make([]Contact, 0, len(r))
	for _, c := range r {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Contact) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	return out
}
