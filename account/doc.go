// Package account owns who the user is and whom they know: the direct-mode
// roster (contacts, groups) and remembered decisions about watchers and
// strangers, the accounts file for SIP servers, and the passwords, which
// live only in the OS keyring (Secret Service) or, by the user's choice,
// in memory for the session, never in a file.
package account
