package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// readers bounds the reader pool: each SQLite connection has its own page
// cache, and a desktop client never needs more concurrent readers than this.
const readers = 4

// Store is the message history and outbox. It is safe for concurrent use.
type Store struct {
	// w is the only connection that writes. One writer serializes writes
	// in Go instead of having connections spin on SQLite's busy handler.
	w *sql.DB
	// r serves reads; in WAL mode they run alongside the writer. For the
	// in-memory store r == w, because a :memory: database is per connection.
	r    *sql.DB
	path string
	log  *slog.Logger

	// The incoming path (incoming.go): AddIncoming hands its message to
	// the writer goroutine over inq, which commits what queued meanwhile
	// in one transaction, with statements prepared once.
	inq                         chan *pendingIn
	quit                        chan struct{} // closed by Close
	writerDone                  chan struct{} // closed when the writer has stopped; nil if never started
	insIn, dupByCall, dupByIMDN *sql.Stmt
	multi                       map[int]*sql.Stmt // multi-row inserts by row count; the writer's own
	indexNow                    chan chan error   // Search asks the writer to catch the index up (fts.go)
	args                        []any             // the writer's parameter buffer, reused batch after batch
	// testBeforeCommit, set by tests, runs in each incoming batch after
	// its inserts, before the commit; an error rolls the batch back.
	testBeforeCommit func(n int) error
	// testNoIdleIndex, set by a benchmark, keeps the writer from indexing
	// on its own, so only what it asks for is timed.
	testNoIdleIndex atomic.Bool

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

func newStore(path string, c config) *Store {
	return &Store{path: path, log: c.log, inq: make(chan *pendingIn), quit: make(chan struct{}),
		indexNow: make(chan chan error)}
}

// Open opens the history database at path, creating it if needed, and
// brings its schema up to date. Any failure is an [*UnavailableError].
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	s := newStore(path, c)
	if err := s.open(ctx, c); err != nil {
		_ = s.Close() // the open error is the one worth reporting
		return nil, &UnavailableError{Op: "open", Path: path, Err: err}
	}
	c.log.Debug("history opened", "path", path, "synchronous", c.synchronous)
	return s, nil
}

func (s *Store) open(ctx context.Context, c config) error {
	dsn, err := fileDSN(s.path, c, true)
	if err != nil {
		return err
	}
	if s.w, err = openPool(ctx, dsn, 1); err != nil {
		return err
	}
	// Migrate before the readers exist so none sees a half-built schema.
	if err := migrate(ctx, s.w, s.log); err != nil {
		return err
	}
	dsn, err = fileDSN(s.path, c, false)
	if err != nil {
		return err
	}
	if s.r, err = openPool(ctx, dsn, readers); err != nil {
		return err
	}
	return s.startWriter(ctx)
}

// OpenMemory returns a store that lives only as long as the process: the
// fallback when the history file is unavailable, and handy in tests.
func OpenMemory(ctx context.Context, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	s := newStore("", c)
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	db, err := openPool(ctx, ":memory:?"+q.Encode(), 1)
	if err == nil {
		s.w, s.r = db, db
		err = migrate(ctx, db, s.log)
	}
	if err == nil {
		err = s.startWriter(ctx)
	}
	if err != nil {
		_ = s.Close()
		return nil, &UnavailableError{Op: "open", Err: err}
	}
	return s, nil
}

func newConfig(opts []Option) config {
	c := defaultConfig()
	for _, o := range opts {
		o(&c)
	}
	return c
}

// openPool opens a pool of at most n connections and connects once, because
// sql.Open is lazy and would hide a bad file until the first query.
func openPool(ctx context.Context, dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	// Never recycle idle connections: for :memory: that would drop the data.
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// fileDSN builds a "file:" URI for path. The URI form, with the path
// escaped, keeps a '?' or '%' in a file name from being read as parameters
// and lets SQLite see mode=ro.
func fileDSN(path string, c config, writer bool) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // C:/x on Windows
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", c.busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous("+c.synchronous+")")
		// Take the write lock at BEGIN: a deferred transaction that has
		// read and then wants to write can fail with SQLITE_BUSY at once
		// if another process wrote meanwhile, busy_timeout or not.
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	if c.readOnly {
		q.Set("mode", "ro")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String(), nil
}

// Close closes the database. It is safe to call more than once and from
// several goroutines; later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.quit)
		if s.writerDone != nil {
			<-s.writerDone // finishes the batch it is writing
		}
		var errs []error
		stmts := []*sql.Stmt{s.insIn, s.dupByCall, s.dupByIMDN}
		for _, st := range s.multi {
			stmts = append(stmts, st)
		}
		for _, st := range stmts {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		// Reverse of open: readers, then the writer, whose close lets
		// SQLite checkpoint the WAL into the main file.
		if s.r != nil && s.r != s.w {
			errs = append(errs, s.r.Close())
		}
		if s.w != nil {
			errs = append(errs, s.w.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
