package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// What the peer's receipts (RFC 5438) do to an outgoing message. A
// receipt only moves a message on, never back: sent → delivered → read.
// A positive receipt for a failed message means the peer has it after
// all (our request timed out, or its answer was lost): the message is
// delivered and no longer resent. A receipt for a message already read
// changes nothing. A negative delivery receipt fails a message that no
// receipt has confirmed yet, without automatic resend (the peer's client
// refused it, sending it again would not help); one for a delivered or
// read message is ignored.

// FindOutgoing returns the outgoing message to peer that a notification
// names by ref: our imdn.Message-ID, or (Linphone, for plain text) the
// Call-ID of its MESSAGE. None is ErrNotFound.
func (s *Store) FindOutgoing(ctx context.Context, peer identity.ID, ref string) (Message, error) {
	if ref == "" {
		return Message{}, fmt.Errorf("find outgoing: empty reference: %w", ErrNotFound)
	}
	for _, col := range []string{"imdn_id", "call_id"} {
		row := s.r.QueryRowContext(ctx, `SELECT `+columns+` FROM messages
			WHERE peer = ? AND `+col+` = ? AND direction = 'out' ORDER BY id DESC LIMIT 1`,
			peer.String(), ref)
		m, err := scanMessage(row)
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Message{}, s.wrap("find outgoing", err)
		}
	}
	return Message{}, fmt.Errorf("find outgoing %q: %w", ref, ErrNotFound)
}

// MarkDelivered records the peer's delivery notification. changed is
// false when the message was delivered or read already.
func (s *Store) MarkDelivered(ctx context.Context, id int64) (changed bool, err error) {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET state = 'delivered', next_attempt = 0, reason = ''
		WHERE id = ? AND direction = 'out' AND state IN ('pending', 'sent', 'stored', 'failed')`, id)
	return s.changed("mark delivered", res, err)
}

// MarkRead records the peer's display notification, received at. changed
// is false when the message was read already.
func (s *Store) MarkRead(ctx context.Context, id int64, at time.Time) (changed bool, err error) {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET state = 'read', read_at = ?, next_attempt = 0, reason = ''
		WHERE id = ? AND direction = 'out' AND state != 'read'`, nanos(at), id)
	return s.changed("mark read", res, err)
}

// MarkRefused records a negative delivery notification: the peer's client
// did not take the message, for reason. changed is false when a receipt
// had already confirmed it.
func (s *Store) MarkRefused(ctx context.Context, id int64, code int, reason string) (changed bool, err error) {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET state = 'failed', code = ?, reason = ?, next_attempt = 0
		WHERE id = ? AND direction = 'out' AND state IN ('pending', 'sent', 'stored', 'failed')`, code, reason, id)
	return s.changed("mark refused", res, err)
}

func (s *Store) changed(op string, res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	return n > 0, s.wrap(op, err)
}

// Unread returns, oldest first, up to limit incoming messages of peer's
// conversation whose sender asked for a display notification not yet
// done.
func (s *Store) Unread(ctx context.Context, peer identity.ID, limit int) ([]Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+columns+` FROM messages
		WHERE peer = ? AND direction = 'in' AND notify & 4 AND NOT displayed
		ORDER BY id LIMIT ?`, peer.String(), pageSize(limit))
	if err != nil {
		return nil, s.wrap("unread", err)
	}
	msgs, err := collect(rows)
	return msgs, s.wrap("unread", err)
}

// ClaimDisplay marks the display notification of incoming message id as
// done and reports whether this call did it: of several callers (clients
// sharing the store) one only sends it.
func (s *Store) ClaimDisplay(ctx context.Context, id int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET displayed = 1
		WHERE id = ? AND direction = 'in' AND NOT displayed`, id)
	return s.changed("claim display", res, err)
}
