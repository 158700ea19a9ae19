package history

import (
	"context"
	"fmt"
	"time"
)

// The search index follows the messages table behind a watermark
// (migration 6): rows with an ID above fts_watermark.upto are stored but
// not yet in messages_fts. Indexing thousands of rows in one statement
// writes one FTS5 segment where a batch per group commit wrote one each
// and merged them over and over: that flush and merge was a fifth of the
// CPU of a burst of incoming messages. The writer goroutine indexes once
// the burst pauses (or its backlog grows large); Search first catches the
// index up, so it never misses a stored message. The watermark moves in
// the transaction that indexes, so a crash loses nothing: the next open
// indexes what is left.
const (
	// indexDelay is how long incoming messages must pause before the
	// writer indexes them.
	indexDelay = 250 * time.Millisecond
	// indexForce indexes during a burst that never pauses, so the backlog
	// (and a search's catch-up) stays bounded.
	indexForce = 16384
	// indexChunk bounds one indexing transaction, so incoming batches
	// wait at most one chunk.
	indexChunk = 4096
)

// indexSome indexes up to indexChunk rows above the watermark in one
// transaction and reports whether rows are left. Only the writer
// goroutine calls it.
func (s *Store) indexSome(ctx context.Context) (more bool, err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() // after Commit it does nothing
	var upto, top int64
	err = tx.QueryRowContext(ctx, `SELECT (SELECT upto FROM fts_watermark), (SELECT coalesce(max(id), 0) FROM messages)`).Scan(&upto, &top)
	if err != nil || top <= upto {
		return false, err
	}
	end := min(top, upto+indexChunk)
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages_fts (rowid, text, peer)
		SELECT id, text, peer FROM messages WHERE id > ? AND id <= ?`, upto, end); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE fts_watermark SET upto = ?`, end); err != nil {
		return false, err
	}
	return end < top, tx.Commit()
}

// indexAll indexes every row above the watermark.
func (s *Store) indexAll(ctx context.Context) error {
	for {
		more, err := s.indexSome(ctx)
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		if !more {
			return nil
		}
	}
}

// catchUpIndex has the writer index every stored row, for Search. A
// closed store has nothing to catch up.
func (s *Store) catchUpIndex(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case s.indexNow <- reply:
	case <-s.quit:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
