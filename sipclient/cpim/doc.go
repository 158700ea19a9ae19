// Package cpim reads and writes Message/CPIM bodies (RFC 3862), the
// wrapper Linphone, sipsimple and RCS clients put around instant messages
// to carry the sender, a timestamp and namespaced extension headers such
// as IMDN's imdn.Message-ID and imdn.Disposition-Notification.
//
// A [Message] keeps the message headers in order as written, the MIME
// headers of the encapsulated part and its body. Namespaced headers are
// matched through the NS headers of the message, whatever prefix the
// sender chose: [Message.Get] takes a namespace URI, not a prefix.
//
// Decode is generous: LF-only line endings, any case in header names,
// folded lines, parameters in front of a value ("Subject:;lang=fr ..."),
// and a missing Content-Length are all accepted. It is bounded: bodies
// over MaxSize, header blocks over MaxHeaderBytes or MaxHeaders are
// refused with ErrTooLarge.
//
// Encode is strict: CRLF line endings, header names and parameters
// checked against the RFC's grammar, control characters in values
// escaped, a From, a To and a Content-Type required, and Content-Length
// always written from the body. Decoding the body of the encapsulated
// part (IMDN, is-composing, text) belongs to other packages.
package cpim
