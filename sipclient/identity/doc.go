// Package identity owns what a person (or a room) is in Parley: the
// identity behind an address of record, sip:user@host[:port].
//
// An [ID] is made by exactly one constructor, [Parse], and compares with
// ==, so it is the key everywhere an address names someone: the contact
// book, blocks and watcher decisions, the core's policy checks, the
// history's conversations, the outbox, events, search and the UI. Nothing
// else in Parley compares addresses.
//
// What is part of an identity follows RFC 3261 19.1.4, with one decision
// of ours about sips:
//
//   - scheme and host compare without case; an IPv6 reference is written
//     in one form ([2001:DB8:0::1] is [2001:db8::1]);
//   - the user part compares with case, after un-escaping (%62ob is bob);
//   - URI parameters (;transport=tcp), headers (?subject=), a password and
//     a display name are not part of it;
//   - an explicit default port equals no port: sip:x:5060 is sip:x, and
//     sips:x:5061 is sip:x too; any other port stays part of the identity,
//     because in direct mode two people on one host differ by port;
//   - sips: names the same person as sip: (written sip: in the ID). RFC
//     3261 keeps the two URIs apart as addresses to reach, and so does
//     Parley: a contact saved as sips: is still reached over TLS, because
//     the address the user gave is kept beside the ID for routing. But
//     whether a message came over TLS says how it travelled, not who wrote
//     it, so one person's conversation, block or watcher answer never
//     splits in two by scheme.
package identity
