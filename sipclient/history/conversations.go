package history

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

// Conversation summarizes the history with one peer.
type Conversation struct {
	Peer    identity.ID // who the conversation is with
	PeerURI string      // the peer's URI as seen on the newest message
	LastID  int64       // newest message
	Last    time.Time   // its time
	Count   int         // number of messages
}

// Conversations lists every conversation, most recently active first.
func (s *Store) Conversations(ctx context.Context) ([]Conversation, error) {
	// The inner query is answered from the (peer, id) index alone; only
	// one row per conversation is then read from the table.
	rows, err := s.r.QueryContext(ctx, `SELECT c.peer, m.peer_uri, c.last, m.at, c.n
		FROM (SELECT peer, max(id) AS last, count(*) AS n FROM messages GROUP BY peer) AS c
		JOIN messages AS m ON m.id = c.last
		ORDER BY m.at DESC, c.last DESC`)
	if err != nil {
		return nil, s.wrap("conversations", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		var c Conversation
		var at int64
		var peer string
		if err := rows.Scan(&peer, &c.PeerURI, &c.LastID, &at, &c.Count); err != nil {
			return nil, s.wrap("conversations", err)
		}
		if c.Peer, err = storedPeer(peer); err != nil {
			return nil, s.wrap("conversations", err)
		}
		c.Last = fromNanos(at)
		out = append(out, c)
	}
	return out, s.wrap("conversations", rows.Err())
}
