// Package xcap is an XCAP client (RFC 4825): it reads a document with its
// ETag and writes it back only if nobody changed it meanwhile (If-Match,
// or If-None-Match: * for a new one). Update is the read-modify-write
// loop: a 412 re-reads the document and applies the change again on
// what another device wrote, so that device's change is kept. Requests
// answer the server's HTTP digest challenge with the account's
// credentials.
package xcap
