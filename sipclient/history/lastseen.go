package history

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// LastSeen returns when each peer was last seen available, as saved by
// SaveLastSeen.
func (s *Store) LastSeen(ctx context.Context) (map[identity.ID]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT peer, at FROM last_seen`)
	if err != nil {
		return nil, s.wrap("last seen", err)
	}
	defer rows.Close()
	out := map[identity.ID]time.Time{}
	for rows.Next() {
		var peer string
		var at int64
		if err := rows.Scan(&peer, &at); err != nil {
			return nil, s.wrap("last seen", err)
		}
		id, err := identity.Parse(peer)
		if err != nil {
			continue // not ours to fix: a row another program wrote
		}
		out[id] = time.Unix(0, at)
	}
	return out, s.wrap("last seen", rows.Err())
}

// SaveLastSeen keeps when peers were last seen available, in one
// transaction. A time older than the one saved is ignored: a late event
// never moves it back.
func (s *Store) SaveLastSeen(ctx context.Context, seen map[identity.ID]time.Time) error {
	if len(seen) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("save last seen", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing
	for peer, at := range seen {
		if _, err := tx.ExecContext(ctx, `INSERT INTO last_seen (peer, at) VALUES (?, ?)
			ON CONFLICT (peer) DO UPDATE SET at = max(at, excluded.at)`, peer.String(), at.UnixNano()); err != nil {
			return s.wrap("save last seen", err)
		}
	}
	return s.wrap("save last seen", tx.Commit())
}
