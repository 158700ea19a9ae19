// Package pidf reads and writes presence bodies: PIDF (RFC 3863), its
// legacy CPIM-PIDF namespace, the presence data model's <dm:person>
// (RFC 4479) and RPID activities (RFC 4480); and XPIDF, the
// pre-standard format Asterisk and older desk phones still send
// (DecodeXPIDF, EncodeXPIDF, and DecodeFor to pick by Content-Type).
//
// Decode is lenient, because real peers send odd documents: prefixes,
// unknown extensions and unexpected basic values are tolerated and folded
// into a single aggregate [Document]. It is strict only where safety needs
// it: DTDs are refused (XPIDF's DOCTYPE without an internal subset is
// skipped), and size and nesting are bounded.
//
// Encode is strict: it writes one tuple (plus a person for RPID) with all
// text escaped, so a note can never turn into markup.
package pidf
