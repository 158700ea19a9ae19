// Package resourcelists reads and writes the XCAP documents of RFC 4826:
// resource-lists (a user's contacts, as named lists of entries: Parley
// maps a list to a group) and rls-services (the lists a resource list
// server serves under one URI, RFC 4662). What Parley does not use
// (entry-ref, external, extension elements, comments) is kept byte for
// byte, each element with the namespace declarations it borrowed from its
// ancestors added, and attributes Parley does not use (x:color, xml:lang)
// are kept with their prefix, so a read-modify-write by Parley never
// drops or breaks what another client stored.
package resourcelists
