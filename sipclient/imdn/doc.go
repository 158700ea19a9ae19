// Package imdn reads and writes Instant Message Disposition Notifications
// (RFC 5438): the message/imdn+xml documents that say a message was
// delivered, displayed or processed (or failed), and the CPIM headers
// with which a sender asks for them (imdn.Message-ID,
// imdn.Disposition-Notification).
//
// Two shapes are met in the wild. The RFC's: a CPIM message whose
// imdn.Message-ID the receipt names. Linphone's in a basic (non-CPIM) chat:
// a bare message/imdn+xml body, often with Content-Encoding: deflate (see
// package bodyenc), whose <message-id> is the Call-ID of the MESSAGE it
// confirms. Decode reads both the same way; matching the ID to a sent
// message is the caller's business.
//
// Decode is lenient where peers differ (a root without namespace, a status
// given as text, Linphone's <reason> extension, a missing or odd
// datetime) and strict where safety needs it: DTDs are refused, size and
// depth are bounded. Encode writes the RFC's shape and refuses documents
// the schema does not allow.
package imdn
