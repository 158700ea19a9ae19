package sipclient

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/parley-im/parley/sipclient/history"
)

// fallbackIDBase is added to the row IDs of the in-memory store that
// replaces a failed history file, so that the IDs handed out after the
// switch never equal those handed out before it.
const fallbackIDBase = 1_000_000_000_000

// chatStore is the history store the core writes to. When the store fails
// as storage (disk full, read-only, corrupt) it switches, once, to an
// in-memory store for the rest of the session: a message is always held
// somewhere before it is acknowledged.
type chatStore struct {
	mu    sync.Mutex
	cur   *history.Store
	base  int64            // added to cur's row IDs to make the IDs callers see
	owned []*history.Store // opened here, closed by close
	// onFallback is told why the store was given up, once.
	onFallback func(err error)
	// openFallback, when set, gives the in-memory store to fall back to,
	// shared with other clients and not owned here.
	openFallback func(ctx context.Context) (*history.Store, error)
}

func (s *chatStore) get() (*history.Store, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, s.base
}

// do runs f on the current store. If the store fails as storage, later
// calls go to memory; with retry, f is run again there at once.
func (s *chatStore) do(ctx context.Context, retry bool, f func(st *history.Store, base int64) error) error {
	st, base := s.get()
	if st == nil {
		return ErrClosed
	}
	err := f(st, base)
	if !errors.Is(err, history.ErrUnavailable) {
		return err
	}
	mem, mbase, ferr := s.fallback(ctx, st, err)
	if ferr != nil || !retry {
		return errors.Join(err, ferr)
	}
	return f(mem, mbase)
}

// fallback replaces failed by an in-memory store, unless that happened
// already (then it returns the current store).
func (s *chatStore) fallback(ctx context.Context, failed *history.Store, cause error) (*history.Store, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != failed || s.base != 0 {
		return s.cur, s.base, nil // already switched (or memory itself failed)
	}
	open, owned := s.openFallback, false
	if open == nil {
		open, owned = func(ctx context.Context) (*history.Store, error) { return history.OpenMemory(ctx) }, true
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	mem, err := open(ctx)
	if err != nil {
		return nil, 0, err
	}
	s.cur, s.base = mem, fallbackIDBase
	if owned {
		s.owned = append(s.owned, mem)
	}
	if s.onFallback != nil {
		s.onFallback(cause)
	}
	return mem, fallbackIDBase, nil
}

// row maps an ID as callers see it to the current store's row ID.
func (s *chatStore) row(id MessageID) (*history.Store, int64, error) {
	n := int64(id)
	st, base := s.get()
	switch {
	case n <= 0:
		return nil, 0, fmt.Errorf("%w: message ID %q", history.ErrInvalid, id)
	case st == nil:
		return nil, 0, ErrClosed
	case n <= base:
		// Kept in the history file given up on at the fallback.
		return nil, 0, fmt.Errorf("message %s: %w", id, history.ErrNotFound)
	}
	return st, n - base, nil
}

// close closes the stores opened here; the caller's store is theirs.
func (s *chatStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range s.owned {
		errs = append(errs, st.Close())
	}
	s.cur, s.owned = nil, nil
	return errors.Join(errs...)
}

// unavailableDetail is the Diagnostic text for a fallback.
func unavailableDetail(err error) string {
	msg := err.Error()
	if !errors.Is(err, history.ErrUnavailable) {
		msg = history.ErrUnavailable.Error() + ": " + msg
	}
	return msg + "; messages are kept in memory for this session"
}
