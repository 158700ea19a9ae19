// Package resourcelists reads and writes the XCAP documents of RFC 4826:
// resource-lists (a user's contacts, as named lists of entries: Parley
// maps a list to a group) and rls-services (the lists a resource list
// server serves under one URI, RFC 4662). What Parley does not use
// (entry-ref, external, nested lists' content, extension elements) is
// kept as read and written back, so a read-modify-write by Parley never
// drops what another client stored.
package resourcelists
