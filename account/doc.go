// Package account owns who the user is and whom they know: the contact
// book (Book: contacts, groups, blocked senders and the answers about who
// may watch, saved to roster.json; the one copy the UI changes and the
// SIP core reads), the accounts file for SIP servers, and the passwords, which
// live only in the OS keyring (Secret Service) or, by the user's choice,
// in memory for the session, never in a file. Prefs keeps the user's own
// status and note in prefs.json, so a restart publishes what they chose.
//
// Manager runs the user's identities: the direct peer-to-peer client and
// one SIP client per enabled account, all on one history store. It routes
// each contact to the identity of its domain, and is what the desktop UI
// talks to (it implements the UI's Core and AccountService).
package account
