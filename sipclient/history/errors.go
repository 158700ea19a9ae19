package history

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrUnavailable is matched (errors.Is) by every error caused by the
	// database file itself rather than by the caller's request. See
	// [UnavailableError].
	ErrUnavailable = errors.New("history is unavailable")
	// ErrNotFound reports that no message has the given ID (or none that
	// the operation applies to, such as an outgoing one for MarkSent).
	ErrNotFound = errors.New("history: message not found")
	// ErrInvalid reports a request that can never succeed, such as a peer
	// that is not a SIP URI or an incoming message without a Call-ID.
	ErrInvalid = errors.New("history: invalid argument")
	// ErrState reports an operation the message's state does not allow,
	// such as retrying a message that was already delivered.
	ErrState = errors.New("history: operation not allowed in message state")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("history: store is closed")
)

// UnavailableError is the store failing as storage: it could not be opened,
// it is not a database, or it can no longer be written. Its message reads
// "history is unavailable: <reason>" and it matches [ErrUnavailable].
type UnavailableError struct {
	Op   string // what the store was doing: "open", "migrate", "add incoming"...
	Path string // database file, "" for the in-memory store
	Err  error  // cause, usually a *sqlite.Error
}

func (e *UnavailableError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%v: %s: %v", ErrUnavailable, e.Op, e.Err)
	}
	return fmt.Sprintf("%v: %s %s: %v", ErrUnavailable, e.Op, e.Path, e.Err)
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }

// storageFailure reports whether err is SQLite saying the file, not the
// statement, is the problem; those errors will not go away by retrying the
// same request, so callers should switch to a fallback.
func storageFailure(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // primary code; extended codes add detail above bit 8
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT,
		sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_NOMEM:
		return true
	}
	return false
}

// wrap turns a database error into this package's error vocabulary.
func (s *Store) wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case s.closed.Load():
		return fmt.Errorf("%s: %w", op, ErrClosed)
	case storageFailure(err):
		s.log.Warn("history storage failure", "op", op, "path", s.path, "err", err)
		return &UnavailableError{Op: op, Path: s.path, Err: err}
	}
	return fmt.Errorf("history: %s: %w", op, err)
}
