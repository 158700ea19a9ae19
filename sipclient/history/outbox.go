package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AddOutgoing stores a message the user is about to send, in state
// pending, and returns its ID. Store it before sending: if the process dies
// in between, Due hands it out again at the next start.
func (s *Store) AddOutgoing(ctx context.Context, m Message) (int64, error) {
	m.Direction, m.State = Out, StatePending
	m.Code, m.Reason, m.Attempts, m.NextAttempt = 0, "", 0, time.Time{}
	m.Notify, m.ReadAt, m.Display, m.SentAt = 0, time.Time{}, false, time.Time{}
	if err := prepare(&m); err != nil {
		return 0, err
	}
	res, err := s.w.ExecContext(ctx, insertSQL, insertArgs(m)...)
	if err != nil {
		return 0, s.wrap("add outgoing", err)
	}
	id, err := res.LastInsertId()
	return id, s.wrap("add outgoing", err)
}

// MarkSent records a final 2xx (other than 202) for an outgoing message.
// Like the other Mark methods it counts one attempt and accepts any earlier
// state, because a late 200 after a local timeout still means delivered.
func (s *Store) MarkSent(ctx context.Context, id int64, code int) error {
	_, err := s.Mark(ctx, id, StateSent, code, "", time.Time{})
	return err
}

// MarkStored records 202 Accepted: a server holds the message for a peer
// who is not online, so it is not known to be delivered yet.
func (s *Store) MarkStored(ctx context.Context, id int64, code int) error {
	_, err := s.Mark(ctx, id, StateStored, code, "", time.Time{})
	return err
}

// MarkFailed records a failure: code is the SIP status (or 0 for a local
// error such as a timeout), reason says what went wrong. Due returns the
// message again from retryAt on; a zero retryAt makes the failure
// permanent until the user calls Retry.
func (s *Store) MarkFailed(ctx context.Context, id int64, code int, reason string, retryAt time.Time) error {
	_, err := s.Mark(ctx, id, StateFailed, code, reason, retryAt)
	return err
}

// Mark records the outcome of one send attempt (StateSent, StateStored or
// StateFailed) and returns the state the message is in now: a message the
// peer's own receipt already said delivered or read stays so (a receipt
// may overtake the 200 it follows, or come after a local timeout).
func (s *Store) Mark(ctx context.Context, id int64, st State, code int, reason string, next time.Time) (State, error) {
	var now State
	err := s.w.QueryRowContext(ctx, `UPDATE messages SET
		state = CASE WHEN state IN ('delivered', 'read') THEN state ELSE ? END,
		reason = CASE WHEN state IN ('delivered', 'read') THEN '' ELSE ? END,
		next_attempt = CASE WHEN state IN ('delivered', 'read') THEN 0 ELSE ? END,
		code = ?, attempts = attempts + 1
		WHERE id = ? AND direction = 'out' RETURNING state`,
		string(st), reason, nanos(next), code, id).Scan(&now)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("mark %s %d: %w", st, id, ErrNotFound)
	}
	return now, s.wrap("mark "+string(st), err)
}

// SetCallID records the SIP identifiers the core used to send the message
// (Call-ID, From tag and CSeq), so that a resend after a crash can reuse
// them and the peer can recognize it as a retransmission. The core moves
// to the next CSeq after a final refusal, when the next attempt is a new
// request rather than a copy of one the peer may have taken.
func (s *Store) SetCallID(ctx context.Context, id int64, callID, fromTag string, cseq uint32) error {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET call_id = ?, from_tag = ?, cseq = ?
		WHERE id = ? AND direction = 'out'`, callID, fromTag, cseq, id)
	return s.affected("set call-id", id, res, err)
}

// Due returns, oldest first, up to limit outgoing messages to send now:
// every pending one (new, or left over by a crash) and every failed one
// whose retry time has come. Messages the caller is sending right now are
// pending too; the caller must skip those it has in flight.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]Message, error) {
	return s.DueAfter(ctx, now, 0, limit)
}

// DueAfter is Due for messages with an ID above afterID: the next page,
// for a caller that skips some of them (several identities sharing one
// store each send their own).
func (s *Store) DueAfter(ctx context.Context, now time.Time, afterID int64, limit int) ([]Message, error) {
	// The state IN (...) term repeats the partial index's condition so
	// SQLite can prove the index applies.
	rows, err := s.r.QueryContext(ctx, `SELECT `+columns+` FROM messages
		WHERE direction = 'out' AND state IN ('pending', 'failed')
		AND (state = 'pending' OR (next_attempt > 0 AND next_attempt <= ?)) AND id > ?
		ORDER BY id LIMIT ?`, now.UnixNano(), afterID, pageSize(limit))
	if err != nil {
		return nil, s.wrap("due", err)
	}
	msgs, err := collect(rows)
	return msgs, s.wrap("due", err)
}

// DueAt reports whether m is one DueAfter would hand out at now: an
// outgoing message that is pending, or failed with its retry time come.
// A sender checks a copy it read earlier against the row as it is now.
func (m Message) DueAt(now time.Time) bool {
	if m.Direction != Out {
		return false
	}
	return m.State == StatePending ||
		m.State == StateFailed && !m.NextAttempt.IsZero() && !m.NextAttempt.After(now)
}

// Retry is the user asking to send a failed message again: it goes back to
// pending with its attempts reset. Only failed outgoing messages can be
// retried; anything else is ErrState (or ErrNotFound).
func (s *Store) Retry(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE messages
		SET state = 'pending', code = 0, reason = '', attempts = 0, next_attempt = 0
		WHERE id = ? AND direction = 'out' AND state = 'failed'`, id)
	err = s.affected("retry", id, res, err)
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	var st State
	switch err := s.w.QueryRowContext(ctx, `SELECT state FROM messages WHERE id = ?`, id).Scan(&st); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("retry %d: %w", id, ErrNotFound)
	case err != nil:
		return s.wrap("retry", err)
	}
	return fmt.Errorf("retry %d (%s): %w", id, st, ErrState)
}

// NextRetry returns the earliest retry time after now of a failed
// outgoing message, or the zero time if none waits for one. The outbox
// sets its timer to it instead of polling.
func (s *Store) NextRetry(ctx context.Context, now time.Time) (time.Time, error) {
	var next sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT min(next_attempt) FROM messages
		WHERE direction = 'out' AND state IN ('pending', 'failed')
		AND state = 'failed' AND next_attempt > ?`, now.UnixNano()).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, s.wrap("next retry", err)
	}
	return fromNanos(next.Int64), nil
}
