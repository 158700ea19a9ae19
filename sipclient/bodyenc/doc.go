// Package bodyenc undoes (and applies) the Content-Encoding of a SIP body
// (RFC 3261 section 20.12): "deflate" and "gzip", layered in the order the
// header lists them.
//
// Linphone (belle-sip) compresses MESSAGE bodies of 256 bytes and more,
// IMDN receipts included, with zlib's deflateInit: a zlib stream (RFC
// 1950), which is what "deflate" means. Some senders put a raw deflate
// stream (RFC 1951) under the same name, so Decode falls back to it when
// the zlib header is not there.
//
// Decoding is bounded: the caller passes the largest decoded size it will
// take, and a body that would grow past it is refused with ErrTooLarge
// after reading at most one byte more, so a small bomb cannot exhaust
// memory. The package knows nothing of SIP messages: it takes the bytes
// and the header value.
package bodyenc
