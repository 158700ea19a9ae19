package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
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
	done chan struct{} // signalled (one value) when id, dup and err are set
}

// freePending keeps pendingIns with their channels between calls: a burst
// allocated both for every message, a tenth of what the core allocates
// for one (and garbage is GC time). A channel, not a sync.Pool: a burst
// collects often, and every collection emptied the pool (a profile of
// one showed a new pendingIn for nearly every message).
var freePending = make(chan *pendingIn, 2*maxBatch)

func getPending() *pendingIn {
	select {
	case p := <-freePending:
		return p
	default:
		return &pendingIn{done: make(chan struct{}, 1)}
	}
}

func putPending(p *pendingIn) {
	*p = pendingIn{done: p.done} // nothing of this message stays reachable
	select {
	case freePending <- p:
	default:
	}
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
	return s.AddIncomingFrom(ctx, &m)
}

// AddIncomingFrom is AddIncoming of *m, which it leaves as it was. The
// core's path for every received message: a Message passed by value
// weighs on the stack of the goroutine each request gets, which then had
// to grow (a stack copy per message, 7 % of the incoming path's CPU).
func (s *Store) AddIncomingFrom(ctx context.Context, m *Message) (id int64, dup bool, err error) {
	if m.CallID == "" {
		return 0, false, fmt.Errorf("%w: incoming message without Call-ID", ErrInvalid)
	}
	if s.closed.Load() {
		return 0, false, fmt.Errorf("add incoming: %w", ErrClosed)
	}
	p := getPending()
	p.m = *m
	p.m.Direction, p.m.State = In, StateReceived
	if err := prepare(&p.m); err != nil {
		putPending(p)
		return 0, false, err
	}
	defer putPending(p)
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
	if s.insIn, err = s.w.PrepareContext(ctx, insertInSQL+inTuple+` ON CONFLICT DO NOTHING`); err != nil {
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
// Between batches it keeps the search index up (fts.go): once incoming
// messages pause for indexDelay, when the backlog reaches indexForce, and
// whenever Search asks. Idle with nothing to index, it waits on channels
// and does nothing else.
func (s *Store) writeIncoming() {
	defer close(s.writerDone)
	batch := make([]*pendingIn, 0, maxBatch)
	// Armed at start: a previous run may have left rows unindexed.
	idle := time.NewTimer(indexDelay)
	defer idle.Stop()
	backlog := 0
	for {
		select {
		case p := <-s.inq:
			batch = append(batch[:0], p)
		case reply := <-s.indexNow:
			err := s.indexAll(context.Background())
			if err == nil {
				backlog = 0
			}
			reply <- err
			continue
		case <-idle.C:
			s.indexIdle(&backlog, idle)
			continue
		case <-s.quit:
			return
		}
		s.commitQueued(batch)
		backlog += len(batch)
		if backlog >= indexForce {
			s.indexIdle(&backlog, idle)
		} else {
			idle.Reset(indexDelay)
		}
	}
}

// indexIdle indexes one chunk of the backlog; with more left it comes
// back at once (after any incoming batch already waiting).
func (s *Store) indexIdle(backlog *int, idle *time.Timer) {
	if s.testNoIdleIndex.Load() {
		return
	}
	more, err := s.indexSome(context.Background())
	switch {
	case err != nil:
		// A read-only or failing file: Search says so when it tries.
		s.log.Debug("search index not caught up", "error", err)
		*backlog = 0
	case more:
		idle.Reset(0)
	default:
		*backlog = 0
	}
}

// commitQueued adds to batch what queued meanwhile, commits it and
// wakes its callers.
func (s *Store) commitQueued(batch []*pendingIn) {
	// One yield first lets the request goroutines that are runnable reach
	// the queue: in a burst (20,000 MESSAGEs, 200 in flight) batches grew
	// from 4 messages to 30 and the CPU per message fell by a fifth. With
	// nothing else runnable the yield returns at once.
	runtime.Gosched()
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
		p.done <- struct{}{}
		batch[i] = nil
	}
}

// insertBatch writes batch in one transaction, as one INSERT. On error
// it rolls back: none of the batch is stored.
//
// A batch of several goes in as one multi-row INSERT: FTS5 flushes its
// pending index data at every statement (each opens a savepoint), so one
// statement per message would cost a flush and a segment merge each.
func (s *Store) insertBatch(batch []*pendingIn) (err error) {
	ctx := context.Background()
	stmt := s.insIn // one row
	if len(batch) > 1 {
		// Prepared before BEGIN: the transaction holds the writer's only
		// connection.
		if stmt, err = s.multiInsert(ctx, len(batch)); err != nil {
			return err
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback() // the error that made us roll back is the one to report
		}
	}()
	if err = s.insertMany(ctx, tx, stmt, batch); err != nil {
		return err
	}
	if s.testBeforeCommit != nil {
		if err := s.testBeforeCommit(len(batch)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// insertMany stores a batch with stmt, the INSERT of its size. Rows without an
// ID get the table's largest ID plus one, in VALUES order, and nothing
// else writes inside the transaction: so when every row went in, their
// IDs are the LastInsertId and the ones right below it, and nothing needs
// reading back (a RETURNING of each row's key, scanned and matched, was a
// fifth of the writer's time). A batch with duplicates asks per message.
func (s *Store) insertMany(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, batch []*pendingIn) error {
	args := s.args[:0]
	for _, p := range batch {
		args = appendIncoming(args, p.m)
	}
	res, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
	clear(args)
	s.args = args
	if err != nil {
		return err
	}
	stored, err := res.RowsAffected()
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if stored == int64(len(batch)) {
		for i, p := range batch {
			p.id = last - stored + 1 + int64(i)
		}
		return nil
	}
	return s.resolveBatch(ctx, tx, batch, stored, last)
}

// resolveBatch finds each message's row after an INSERT that skipped
// duplicates. The stored rows have the IDs above last-stored; of several
// messages that found the same new row, the first in the batch is the
// one stored (the INSERT went in batch order), the others are its
// duplicates, as is every message whose row is older.
func (s *Store) resolveBatch(ctx context.Context, tx *sql.Tx, batch []*pendingIn, stored, last int64) error {
	fresh := last - stored // IDs above it are this batch's rows
	claimed := make(map[int64]bool, stored)
	for _, p := range batch {
		id, err := s.incomingID(ctx, tx, p.m)
		if err != nil {
			return err
		}
		p.id = id
		if stored > 0 && id > fresh && !claimed[id] {
			claimed[id] = true
			continue
		}
		p.dup = true
	}
	return nil
}

// insertInSQL stores incoming messages: what a received message carries
// goes as parameters (inTuple), the rest of an incoming row is constant or
// the column's default. Fewer parameters: less to convert and bind.
const (
	insertInSQL = `INSERT INTO messages (peer, peer_uri, at, text, content_type, call_id, from_tag,
		cseq, imdn_id, cpim, sent_at, notify, direction, state) VALUES `
	inTuple = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'in', 'received')`
)

// appendIncoming appends the parameters of inTuple for m to args.
func appendIncoming(args []any, m Message) []any {
	return append(args, m.Peer.String(), m.PeerURI, nanos(m.At), m.Text, m.ContentType, m.CallID, m.FromTag,
		m.CSeq, m.IMDNID, m.CPIM, nanos(m.SentAt), m.Notify)
}

// multiInsert returns the INSERT of n incoming rows, prepared once per n.
// Only the writer goroutine calls it; Close closes the statements after
// the writer has stopped.
func (s *Store) multiInsert(ctx context.Context, n int) (*sql.Stmt, error) {
	if st := s.multi[n]; st != nil {
		return st, nil
	}
	q := insertInSQL + inTuple + strings.Repeat(", "+inTuple, n-1) + " ON CONFLICT DO NOTHING"
	st, err := s.w.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.multi == nil {
		s.multi = map[int]*sql.Stmt{}
	}
	s.multi[n] = st
	return st, nil
}

// incomingID finds the stored row of a message, by its Call-ID, From tag
// and CSeq or else by its IMDN Message-ID, inside the batch's transaction.
func (s *Store) incomingID(ctx context.Context, tx *sql.Tx, m Message) (int64, error) {
	var id int64
	err := tx.StmtContext(ctx, s.dupByCall).QueryRowContext(ctx, m.CallID, m.FromTag, m.CSeq).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && m.IMDNID != "" {
		err = tx.StmtContext(ctx, s.dupByIMDN).QueryRowContext(ctx, m.Peer.String(), m.IMDNID).Scan(&id)
	}
	return id, err
}
