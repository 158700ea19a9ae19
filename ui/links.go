package ui

import (
	"errors"
	"strings"

	"github.com/parley-im/parley/account"
)

// A sip: link reaches Parley from a browser or another app (xdg-open runs
// "parley sip:…"), or from a second start handing its arguments over.

// linkRunes bounds how much of a bad link is quoted back to the user.
const linkRunes = 80

// Raise brings the main window to the front, shown even if it was hidden
// to the tray: the user started Parley again and expects to see it.
func (a *App) Raise() {
	a.win.Show()
	a.win.RequestFocus()
}

// OpenLink opens the chat a sip: or sips: link names; someone not in the
// contacts is offered to be added first, with the address filled in.
func (a *App) OpenLink(link string) {
	c, err := linkContact(link)
	if err != nil {
		a.showProblemDetail("Parley could not open the link “"+oneLine(link, linkRunes)+"”: it is not a SIP address such as sip:alice@example.com.", err.Error())
		return
	}
	if known := a.contacts[c.ID]; known != nil {
		a.openChat(known)
		return
	}
	a.addContactDialog(c, c.URI+" is not in your contacts. Add them to chat:", func(added *contactState) { a.openChat(added) })
}

// linkContact reads a link as a contact: only sip: and sips: links, and
// without the headers a link may carry (sip:bob@host?subject=…), which
// name no one.
func linkContact(link string) (account.Contact, error) {
	link = strings.TrimSpace(link)
	scheme, _, _ := strings.Cut(link, ":")
	if s := strings.ToLower(scheme); s != "sip" && s != "sips" {
		return account.Contact{}, errNotSIPLink
	}
	link, _, _ = strings.Cut(link, "?")
	return account.NewContact(link, "", "")
}

// errNotSIPLink: the link is of another kind (http:, mailto:…).
var errNotSIPLink = errors.New("not a sip: or sips: link")
