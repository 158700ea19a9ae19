package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// DefaultLimit is the page size used when a caller passes limit <= 0.
const DefaultLimit = 50

const insertSQL = `INSERT INTO messages (peer, peer_uri, direction, at, text,
	content_type, call_id, from_tag, cseq, state, code, reason, attempts,
	next_attempt, imdn_id, cpim, sent_at, notify, read_at, displayed)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// prepare fills in the conversation key and defaults before an insert.
func prepare(m *Message) error {
	if m.Peer.IsZero() {
		id, err := identity.Parse(m.PeerURI)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		m.Peer = id
	}
	if m.PeerURI == "" {
		m.PeerURI = m.Peer.String()
	}
	if m.At.IsZero() {
		m.At = time.Now()
	}
	if m.ContentType == "" {
		m.ContentType = "text/plain"
	}
	return nil
}

func insertArgs(m Message) []any {
	return []any{m.Peer.String(), m.PeerURI, string(m.Direction), nanos(m.At), m.Text,
		m.ContentType, m.CallID, m.FromTag, m.CSeq, string(m.State), m.Code,
		m.Reason, m.Attempts, nanos(m.NextAttempt), m.IMDNID, m.CPIM, nanos(m.SentAt),
		m.Notify, nanos(m.ReadAt), m.Display}
}

// Get returns one message, or an error matching ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Message, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+columns+` FROM messages WHERE id = ?`, id)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	return m, s.wrap("get", err)
}

// Delete removes a message from history (and from the outbox and the
// search index).
func (s *Store) Delete(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, id)
	return s.affected("delete", id, res, err)
}

// affected turns "no row changed" into ErrNotFound.
func (s *Store) affected(op string, id int64, res sql.Result, err error) error {
	if err != nil {
		return s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %d: %w", op, id, ErrNotFound)
	}
	return nil
}

// History returns up to limit messages of the conversation with peer,
// newest first, with IDs below beforeID;
// beforeID 0 means from the newest. Pass the last ID of a page as beforeID
// to get the next (older) page. Each page is an index seek on (peer, id), so
// its cost does not grow with the length of the conversation.
func (s *Store) History(ctx context.Context, peer identity.ID, beforeID int64, limit int) ([]Message, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+columns+` FROM messages
		WHERE peer = ? AND id < ? ORDER BY id DESC LIMIT ?`, peer.String(), beforeID, pageSize(limit))
	if err != nil {
		return nil, s.wrap("history", err)
	}
	msgs, err := collect(rows)
	return msgs, s.wrap("history", err)
}

// HistoryAfter returns up to limit messages of the conversation with peer
// with IDs above afterID, oldest first: the next newer page for a reader
// who jumped back into the conversation. Fewer than limit means the page
// reaches the newest message.
func (s *Store) HistoryAfter(ctx context.Context, peer identity.ID, afterID int64, limit int) ([]Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+columns+` FROM messages
		WHERE peer = ? AND id > ? ORDER BY id LIMIT ?`, peer.String(), afterID, pageSize(limit))
	if err != nil {
		return nil, s.wrap("history after", err)
	}
	msgs, err := collect(rows)
	return msgs, s.wrap("history after", err)
}

func pageSize(limit int) int {
	if limit <= 0 {
		return DefaultLimit
	}
	return limit
}
