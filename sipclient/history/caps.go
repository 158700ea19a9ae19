package history

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// Support is what a peer showed of one capability.
type Support int8

// A capability is unknown until the peer shows it.
const (
	SupportNo      Support = -1 // refused it (415/488): never again
	SupportUnknown Support = 0
	SupportYes     Support = 1 // used it with us
)

// Caps is what a peer showed it speaks of the IM dialect.
type Caps struct {
	// Typing: SupportYes once it sent an is-composing (RFC 3994),
	// SupportNo once it answered one of ours 415 or 488.
	Typing Support
	// IMDN: SupportYes once it sent CPIM with IMDN headers, or a
	// notification; SupportNo (plain text only) once it answered a CPIM
	// message 415.
	IMDN Support
}

// PeerCaps returns what peer showed so far; an unknown peer has zero Caps.
func (s *Store) PeerCaps(ctx context.Context, peer identity.ID) (Caps, error) {
	var c Caps
	err := s.r.QueryRowContext(ctx, `SELECT typing, imdn FROM peer_caps WHERE peer = ?`,
		peer.String()).Scan(&c.Typing, &c.IMDN)
	if errors.Is(err, sql.ErrNoRows) {
		return Caps{}, nil
	}
	return c, s.wrap("peer caps", err)
}

// SetPeerCaps remembers what peer showed.
func (s *Store) SetPeerCaps(ctx context.Context, peer identity.ID, c Caps) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO peer_caps (peer, typing, imdn, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (peer) DO UPDATE SET typing = excluded.typing, imdn = excluded.imdn, updated = excluded.updated`,
		peer.String(), c.Typing, c.IMDN, time.Now().UnixNano())
	return s.wrap("set peer caps", err)
}
