package ui

import (
	"fmt"

	"github.com/parley-im/parley/sipclient"
)

// applyRosterSynced follows the contact list at the server: contacts
// another device added appear, those it removed go (the core already
// watches or stops watching them), and a contact changed differently on
// both sides is put to the user, the server's version being in force
// meanwhile.
func (a *App) applyRosterSynced(ev sipclient.RosterSynced) bool {
	for _, id := range ev.Added {
		if c, ok := a.book.Contact(id); ok && a.contacts[id] == nil {
			a.addContactState(c)
		}
	}
	for _, id := range ev.Removed {
		if _, still := a.book.Contact(id); !still {
			delete(a.contacts, id)
		}
	}
	for _, k := range ev.Conflicts {
		cs := a.contacts[k.Peer]
		if cs == nil {
			continue
		}
		if c, ok := a.book.Contact(k.Peer); ok {
			cs.Name, cs.Group = c.Name, c.Group
		}
		a.askConflict(cs, k)
	}
	return true
}

// askConflict asks which of two versions of a contact to keep: the one
// from the user's other device (at the server, now shown) or this one's.
func (a *App) askConflict(cs *contactState, k sipclient.RosterConflict) {
	q := fmt.Sprintf("%s is %s on your other device and was %s here. Parley now uses the other device's. Keep the one from here instead?",
		k.Peer, describe(k.ServerName, k.ServerGroup), describe(k.LocalName, k.LocalGroup))
	showUnasked("Contact changed on two devices", q, "Keep the one from here", "Keep the other device's", func() {
		updated, err := a.book.Update(k.Peer, k.LocalName, k.LocalGroup)
		a.bookSaved(err)
		if err == nil {
			cs.Name, cs.Group = updated.Name, updated.Group
			a.refreshRoster()
		}
	}, a.win)
}

// describe words a contact's name and group for the question above.
func describe(name, group string) string {
	s := "named “" + name + "”"
	if name == "" {
		s = "without a name"
	}
	if group != "" {
		s += " in “" + group + "”"
	}
	return s
}
