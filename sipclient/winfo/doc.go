// Package winfo reads and writes watcher information bodies
// (application/watcherinfo+xml, RFC 3858), the NOTIFY payload of the
// presence.winfo event package (RFC 3857), and keeps the watcher state they
// describe.
//
// It owns three things: Decode, which turns a body into a [Document];
// Encode, which writes one back (for tests and tools); and [Tracker], which
// applies full and partial documents in version order and reports the
// watchers whose status changed, so the caller can ask the user about new
// pending subscriptions. Sending the SUBSCRIBE and answering the NOTIFY
// belong to the watcher role in package sipclient, not here.
//
// Decode is strict where the state machine depends on it: the root must be
// <watcherinfo> in the watcherinfo namespace, version and state must be
// present and valid, and every watcher needs an id, a status from the
// RFC's list and a URI. It is lenient elsewhere: prefixes do not matter,
// foreign elements and attributes are ignored, an unknown or missing event
// is kept as given, and unreadable optional numbers read as 0. DTDs are
// refused, and size and nesting are bounded.
package winfo
