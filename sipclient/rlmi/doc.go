// Package rlmi reads the NOTIFY bodies of a resource list server (RFC
// 4662): a multipart/related document (RFC 2387) whose root part is the
// Resource List Meta-Information (application/rlmi+xml) and whose other
// parts are the resources' own documents (PIDF for presence), each found
// by the Content-ID an instance names. A notification carries the list's
// full state or only what changed, numbered by version.
package rlmi
