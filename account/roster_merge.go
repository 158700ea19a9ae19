package account

import (
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// roster is a set of contacts by who they are: the book's, the server's,
// or the last one both agreed on (the base of a three-way merge).
type roster map[identity.ID]Contact

// mergeResult is what a three-way merge decided.
type mergeResult struct {
	result roster
	// conflicts: contacts both sides changed differently, e.g. named
	// "Bob" here and "Robert" on another device. The server's version is
	// taken (other devices already show it); the user may choose theirs
	// again with Book.Update, which is then written through.
	conflicts []sipclient.RosterConflict
}

// merge3 merges the book (local) and the server's list (server) against
// base, what both held after the last sync: a contact added or removed on
// one side since base is added or removed on the other; fields changed on
// one side win; a field empty on one side takes the other's; fields
// changed on both sides differently are a conflict, which the server
// wins. With an empty base (the first sign-in) the result is the union.
func merge3(base, local, server roster) mergeResult {
	out := mergeResult{result: roster{}}
	ids := map[identity.ID]bool{}
	for _, r := range []roster{base, local, server} {
		for id := range r {
			ids[id] = true
		}
	}
	for id := range ids {
		b, inB := base[id]
		l, inL := local[id]
		s, inS := server[id]
		switch {
		case inL && inS:
			c, conflict := mergeContact(b, l, s, inB)
			out.result[id] = c
			if conflict {
				out.conflicts = append(out.conflicts, sipclient.RosterConflict{Peer: id,
					LocalName: l.Name, LocalGroup: l.Group, ServerName: s.Name, ServerGroup: s.Group})
			}
		case inL && !inB: // added here
			out.result[id] = l
		case inS && !inB: // added elsewhere
			out.result[id] = s
		}
		// In base and missing on one side: removed there, so removed.
	}
	return out
}

// mergeContact merges one contact's name and group; the URI is the
// book's, which says how the user reaches them.
func mergeContact(b, l, s Contact, inB bool) (Contact, bool) {
	name, c1 := mergeField(b.Name, l.Name, s.Name, inB)
	group, c2 := mergeField(b.Group, l.Group, s.Group, inB)
	c := l
	c.Name, c.Group = name, group
	return c, c1 || c2
}

func mergeField(b, l, s string, inB bool) (string, bool) {
	switch {
	case l == s:
		return l, false
	case inB && l == b:
		return s, false
	case inB && s == b:
		return l, false
	case l == "":
		return s, false
	case s == "":
		return l, false
	}
	return s, true
}
