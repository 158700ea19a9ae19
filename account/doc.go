// Package account owns who the user is and whom they know: the direct-mode
// identity, the roster (contacts, groups), and remembered decisions about
// watchers and strangers, all stored under the user's XDG directories.
// Credentials (later) live in the OS keyring, never in these files.
package account
