package sipclient

import "github.com/parley-im/parley/sipclient/identity"

// RosterSynced: the contact book was merged with the account's contact
// list at its server (XCAP resource-lists): contacts another device added
// or removed are now in the book or gone from it, and contacts both sides
// changed differently are listed for the user to decide (the server's
// version was taken meanwhile).
type RosterSynced struct {
	AOR       string // the account
	Added     []identity.ID
	Removed   []identity.ID
	Conflicts []RosterConflict
}

// RosterConflict is one contact named or grouped differently here and at
// the server.
type RosterConflict struct {
	Peer                    identity.ID
	LocalName, LocalGroup   string
	ServerName, ServerGroup string
}

// WhatRoster is the Diagnostic.What of a contact list the server could
// not give or take.
const WhatRoster = "contact list"

func (RosterSynced) isEvent() {}
