// Package iscomposing reads and writes message composition indications
// (RFC 3994, application/im-iscomposing+xml): the "is typing" status a
// client sends in a MESSAGE (or inside CPIM) while its user writes.
//
// Decode is lenient: prefixes do not matter, a root without namespace is
// accepted, the state's case is forgiven, and an unreadable lastactive or
// refresh reads as absent. Only the state is required. DTDs are refused,
// size and depth are bounded. Encode writes the RFC's element order.
//
// Timers (the sender's refresh, the receiver's fall back to idle) belong
// to the caller; Timeout says how long an active state lasts.
package iscomposing
