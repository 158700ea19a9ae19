package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// maxBatch bounds how many incoming messages share one transaction (and
// one fsync). A batch is whatever queued while the previous one was being
// written, so at low rates every batch is one message and nothing waits
// for company; the bound keeps a burst's latency to one batch's worth.
const maxBatch = 128

const (
	dupByCallSQL = `SELECT id FROM messages
		WHERE direction = 'in' AND call_id = ? AND from_tag = ? AND cseq = ?`
	dupByIMDNSQL = `SELECT id FROM messages
		WHERE direction = 'in' AND peer = ? AND imdn_id = ? AND imdn_id != ''`
)

// pendingIn is one AddIncoming waiting for its batch to commit.
type pendingIn struct {
	m    Message
	id   int64
	dup  bool
	err  error
	done chan struct{} // closed when id, dup and err are set
}

// AddIncoming stores a received message and returns its ID. A message
// whose Call-ID, From tag and CSeq were seen before (a retransmission or a
// replay), or whose IMDNID this peer used before (a resend with a new
// Call-ID), is not stored again: dup is true and id is the original's.
//
// The message is on disk when AddIncoming returns, so the caller may then
// answer 200 OK. Direction and State are set here; At defaults to now.
//
// Concurrent calls are group-committed: the messages that arrive while
// one transaction is being written share the next transaction and its
// fsync. Each caller still gets its own ID and dup; if the transaction
// fails, every caller in it gets the error and none of its rows is kept.
func (s *Store) AddIncoming(ctx context.Context, m Message) (id int64, dup bool, err error) {
	if m.CallID == "" {
		return 0, false, fmt.Errorf("%w: incoming message without Call-ID", ErrInvalid)
	}
	m.Direction, m.State = In, StateReceived
	if err := prepare(&m); err != nil {
		return 0, false, err
	}
	if s.closed.Load() {
		return 0, false, fmt.Errorf("add incoming: %w", ErrClosed)
	}
	p := &pendingIn{m: m, done: make(chan struct{})}
	select {
	case s.inq <- p:
	case <-s.quit:
		return 0, false, fmt.Errorf("add incoming: %w", ErrClosed)
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
	// Once handed over the message is written whatever ctx does; waiting
	// for the commit is bounded by one batch.
	<-p.done
	return p.id, p.dup, p.err
}

// startWriter prepares the statements of the incoming path and starts the
// goroutine that commits it. Idle, the goroutine waits on a channel and
// does nothing else.
func (s *Store) startWriter(ctx context.Context) error {
	var err error
	if s.insIn, err = s.w.PrepareContext(ctx, insertSQL+` ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	if s.dupByCall, err = s.w.PrepareContext(ctx, dupByCallSQL); err != nil {
		return err
	}
	if s.dupByIMDN, err = s.w.PrepareContext(ctx, dupByIMDNSQL); err != nil {
		return err
	}
	s.writerDone = make(chan struct{})
	go s.writeIncoming()
	return nil
}

// writeIncoming commits queued incoming messages, a batch per transaction,
// until the store closes. The queue is unbuffered: a batch is the one
// message received plus every caller already blocked handing one over.
func (s *Store) writeIncoming() {
	defer close(s.writerDone)
	batch := make([]*pendingIn, 0, maxBatch)
	for {
		select {
		case p := <-s.inq:
			batch = append(batch[:0], p)
		case <-s.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case p := <-s.inq:
				batch = append(batch, p)
			default:
				break more
			}
		}
		if err := s.insertBatch(batch); err != nil {
			err = s.wrap("add incoming", err)
			for _, p := range batch {
				p.id, p.dup, p.err = 0, false, err
			}
		}
		for i, p := range batch {
			close(p.done)
			batch[i] = nil
		}
	}
}

// insertBatch writes batch in one transaction. On error it rolls back:
// none of the batch is stored.
func (s *Store) insertBatch(batch []*pendingIn) (err error) {
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the error that made us roll back is the one to report
		}
	}()
	ins := tx.StmtContext(ctx, s.insIn)
	for _, p := range batch {
		res, err := ins.ExecContext(ctx, insertArgs(p.m)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			// A duplicate, of a stored message or of one earlier in this
			// batch: the transaction sees its own rows.
			p.dup = true
			if p.id, err = s.incomingID(ctx, tx, p.m); err != nil {
				return err
			}
			continue
		}
		if p.id, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	if s.testBeforeCommit != nil {
		if err := s.testBeforeCommit(len(batch)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// incomingID finds the original of a duplicate, inside the batch's
// transaction.
func (s *Store) incomingID(ctx context.Context, tx *sql.Tx, m Message) (int64, error) {
	var id int64
	err := tx.StmtContext(ctx, s.dupByCall).QueryRowContext(ctx, m.CallID, m.FromTag, m.CSeq).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && m.IMDNID != "" {
		err = tx.StmtContext(ctx, s.dupByIMDN).QueryRowContext(ctx, m.Peer.String(), m.IMDNID).Scan(&id)
	}
	return id, err
}
