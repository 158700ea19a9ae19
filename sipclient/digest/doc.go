// Package digest is the client side of SIP digest authentication
// (RFC 3261 section 22.4 on top of RFC 2617, RFC 7616 and RFC 8760): it
// parses WWW-Authenticate and Proxy-Authenticate challenges, picks the
// strongest one it supports (SHA-512-256, SHA-256, MD5 and their -sess
// variants; qop=auth, qop=auth-int, or the legacy form without qop) and
// builds the Authorization or Proxy-Authorization value for a request.
//
// A Session holds one challenge and counts nc for every request that
// reuses its nonce. It hashes the Request-URI exactly as the caller gives
// it, parameters included: pass the string that goes on the request line,
// not a re-rendered URI.
//
// Passwords and computed responses never appear in errors, String or log
// output.
package digest
