// Package history is Parley's message store: the durable chat history of
// SIP MESSAGE conversations and the outbox of messages still being sent.
//
// It owns one SQLite database (modernc.org/sqlite, pure Go, so the headless
// client stays cgo-free) and knows nothing of SIP transactions or of any UI:
// the SIP core calls it, the UI reads from it.
//
// # Durability
//
// Anything this package has acknowledged is on disk. The database runs in
// WAL mode with synchronous=FULL, so every committed write fsyncs the WAL
// before the call returns. That is what lets the SIP core answer an incoming
// MESSAGE with 200 OK only after [Store.AddIncoming] has returned: once the
// peer has been told "delivered", a crash or power cut cannot lose the text.
// NORMAL would only risk the last few transactions on power loss, but those
// are exactly the ones the peer has already been told were delivered.
// BenchmarkAddIncoming and BenchmarkAddIncomingNormal measure what FULL costs:
// on the development VM (ext4) about 400 µs per message against 225 µs,
// some 2,500 against 4,400 messages a second, far above any chat rate.
//
// Under load the fsync is shared, not skipped: concurrent AddIncoming calls
// are group-committed (incoming.go). One writer goroutine takes the
// messages that queued while the previous transaction was being written and
// stores them with one multi-row INSERT in one transaction, one fsync; each
// caller returns when its batch is on disk, with its own ID and duplicate
// flag, or with the batch's error (then none of the batch is kept).
// scripts/measure-incoming.sh measures the whole path with sipp.
//
// The full-text index (FTS5) is not written in those transactions: it
// follows the messages behind a watermark (fts.go, schema version 6). The
// writer indexes in chunks once a burst pauses, [Store.Search] first
// indexes what is left, and a crash only leaves rows for the next open to
// index, so a search never misses a stored message.
//
// # Conversations
//
// Messages are grouped by the peer's identity ([identity.ID]), so that
// "Bob" <sip:bob@x>, <sip:bob@X;transport=tcp> and sips:bob@x are one
// conversation. Schema version 3 re-keyed every older row by those rules,
// merging conversations an older build had filed under two spellings.
//
// # Outbox
//
// Sending uses local echo: [Store.AddOutgoing] stores the message as pending
// before it is sent, the SIP core then marks it sent, stored (202) or failed.
// [Store.Due] lists what needs (re)sending, including pending messages left
// over by a crash, and [Store.NextRetry] when the next failed one is due,
// so that the SIP core sleeps on a timer instead of polling. A failed message is retried automatically when it was
// given a retry time, or by the user through [Store.Retry].
//
// # Receipts and capabilities
//
// The peer's own disposition notifications (RFC 5438) move an outgoing
// message on, never back: sent, delivered, read (receipts.go says what a
// receipt does to a failed or read message). Incoming messages keep the
// notifications their sender asked for, and whether the display one is
// done. peer_caps remembers, across restarts, what each peer showed it
// speaks: typing notices, CPIM with IMDN, or plain text only. Schema
// version 4 rebuilt the messages table for the two new states (SQLite
// cannot alter a CHECK) with the same row IDs, so the search index holds.
// Schema version 5 adds last_seen: when each peer was last seen
// available, so an offline contact's "last seen" survives a restart (the
// account Manager writes it; a time never moves back).
//
// # Errors
//
// Failures of the database itself (it cannot be opened or created, it is
// not a database, the disk is full or read-only) are reported as an
// [*UnavailableError], which matches [ErrUnavailable] with errors.Is; the
// caller can show "history is unavailable: <reason>" and carry on with
// [OpenMemory].
package history
