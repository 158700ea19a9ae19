package history

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/parley-im/parley/sipclient/identity"
)

// migrations are applied in order; migrations[i] takes the schema from
// user_version i to i+1. Append only: never edit one that has shipped.
var migrations = []string{
	// 1: messages and their indexes.
	`CREATE TABLE messages (
		id           INTEGER PRIMARY KEY,
		peer         TEXT    NOT NULL,
		peer_uri     TEXT    NOT NULL,
		direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
		at           INTEGER NOT NULL, -- Unix nanoseconds
		text         TEXT    NOT NULL,
		content_type TEXT    NOT NULL,
		call_id      TEXT    NOT NULL DEFAULT '',
		from_tag     TEXT    NOT NULL DEFAULT '',
		cseq         INTEGER NOT NULL DEFAULT 0,
		state        TEXT    NOT NULL
			CHECK (state IN ('received', 'pending', 'sent', 'stored', 'failed')),
		code         INTEGER NOT NULL DEFAULT 0,
		reason       TEXT    NOT NULL DEFAULT '',
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_attempt INTEGER NOT NULL DEFAULT 0 -- Unix nanoseconds, 0 = none
	) STRICT;
	-- Paging a conversation is a seek plus a short range scan, whatever its length.
	CREATE INDEX messages_peer_id ON messages (peer, id);
	-- A retransmitted or replayed MESSAGE has the same Call-ID, From tag and
	-- CSeq. Incoming only: a MESSAGE sent to ourselves arrives with the
	-- identifiers of the outgoing copy and must still be stored.
	CREATE UNIQUE INDEX messages_dedupe ON messages (call_id, from_tag, cseq)
		WHERE direction = 'in';
	-- Keeps Due cheap however much history there is.
	CREATE INDEX messages_outbox ON messages (state, id)
		WHERE direction = 'out' AND state IN ('pending', 'failed');`,

	// 2: full-text search. External content: the text is stored once, in
	// messages, and the triggers keep the index in step with it. The peer
	// is indexed too, so a search within one conversation is an
	// intersection of doclists rather than a walk through every hit in
	// every conversation. The prefix indexes make the short prefixes of
	// search-as-you-type one lookup instead of a merge of every term that
	// starts with them.
	`CREATE VIRTUAL TABLE messages_fts USING fts5 (
		text, peer, content = 'messages', content_rowid = 'id',
		tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
	);
	CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;
	CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
	END;
	CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, peer ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;
	-- Index what version 1 already stored.
	INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');`,

	// 3: every peer column holds an identity.ID. The rules are Go code
	// (identity.Parse), so the work is rekeyPeers, run after this.
	`SELECT 1;`,

	// 4: the IM dialect (RFC 3862 CPIM, RFC 5438 IMDN). The state CHECK
	// admits delivered and read, which SQLite cannot alter: the table is
	// rebuilt with the same row IDs, so the external-content FTS index
	// (keyed by rowid) stays valid; dropping the old table dropped its
	// triggers and indexes, made again here. New columns: the IMDN
	// Message-ID (ours for outgoing, the sender's for incoming: the
	// dedupe key of a resend with a new Call-ID), whether the message
	// went or came as CPIM, the CPIM DateTime the sender gave, the
	// notifications an incoming one asked for (a bit set: 1 positive
	// delivery, 2 negative delivery, 4 display), whether its display
	// notification is done, and when the peer read an outgoing one.
	// peer_caps remembers what each peer showed it speaks.
	`CREATE TABLE messages_v4 (
		id           INTEGER PRIMARY KEY,
		peer         TEXT    NOT NULL,
		peer_uri     TEXT    NOT NULL,
		direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
		at           INTEGER NOT NULL, -- Unix nanoseconds
		text         TEXT    NOT NULL,
		content_type TEXT    NOT NULL,
		call_id      TEXT    NOT NULL DEFAULT '',
		from_tag     TEXT    NOT NULL DEFAULT '',
		cseq         INTEGER NOT NULL DEFAULT 0,
		state        TEXT    NOT NULL
			CHECK (state IN ('received', 'pending', 'sent', 'stored', 'failed', 'delivered', 'read')),
		code         INTEGER NOT NULL DEFAULT 0,
		reason       TEXT    NOT NULL DEFAULT '',
		attempts     INTEGER NOT NULL DEFAULT 0,
		next_attempt INTEGER NOT NULL DEFAULT 0, -- Unix nanoseconds, 0 = none
		imdn_id      TEXT    NOT NULL DEFAULT '',
		cpim         INTEGER NOT NULL DEFAULT 0,
		sent_at      INTEGER NOT NULL DEFAULT 0, -- Unix nanoseconds, 0 = not given
		notify       INTEGER NOT NULL DEFAULT 0,
		displayed    INTEGER NOT NULL DEFAULT 0,
		read_at      INTEGER NOT NULL DEFAULT 0  -- Unix nanoseconds, 0 = not read
	) STRICT;
	INSERT INTO messages_v4 (id, peer, peer_uri, direction, at, text, content_type,
		call_id, from_tag, cseq, state, code, reason, attempts, next_attempt)
		SELECT id, peer, peer_uri, direction, at, text, content_type,
		call_id, from_tag, cseq, state, code, reason, attempts, next_attempt FROM messages;
	DROP TABLE messages;
	ALTER TABLE messages_v4 RENAME TO messages;
	CREATE INDEX messages_peer_id ON messages (peer, id);
	CREATE UNIQUE INDEX messages_dedupe ON messages (call_id, from_tag, cseq)
		WHERE direction = 'in';
	CREATE INDEX messages_outbox ON messages (state, id)
		WHERE direction = 'out' AND state IN ('pending', 'failed');
	-- A resend of a CPIM message comes with a new Call-ID and the same
	-- imdn.Message-ID: one message.
	CREATE UNIQUE INDEX messages_dedupe_imdn ON messages (peer, imdn_id)
		WHERE direction = 'in' AND imdn_id != '';
	-- A notification names the message it is about by our imdn.Message-ID,
	-- or (Linphone, for plain text) by its Call-ID.
	CREATE INDEX messages_out_imdn ON messages (peer, imdn_id)
		WHERE direction = 'out' AND imdn_id != '';
	CREATE INDEX messages_out_call ON messages (peer, call_id)
		WHERE direction = 'out';
	-- The display notifications MarkRead still owes.
	CREATE INDEX messages_unread ON messages (peer, id)
		WHERE direction = 'in' AND notify & 4 AND NOT displayed;
	CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;
	CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
	END;
	CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, peer ON messages BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;
	-- What each peer showed it takes: 1 yes, -1 refused, 0 unknown.
	CREATE TABLE peer_caps (
		peer    TEXT    PRIMARY KEY,
		typing  INTEGER NOT NULL DEFAULT 0, -- is-composing: sent us one / answered 415 or 488
		imdn    INTEGER NOT NULL DEFAULT 0, -- CPIM with IMDN: sent it or IMDNs / refused CPIM (plain only)
		updated INTEGER NOT NULL            -- Unix nanoseconds
	) STRICT;`,

	// 5: when each contact was last seen available, so "Offline — last
	// seen 14:05" survives a restart (lastseen.go).
	`CREATE TABLE last_seen (
		peer TEXT    PRIMARY KEY,
		at   INTEGER NOT NULL -- Unix nanoseconds
	) STRICT;`,

	// 6: the search index follows the messages in the background
	// (fts.go): rows above fts_watermark.upto are stored but not yet
	// indexed, so a burst of incoming messages pays no FTS5 flush and
	// segment merge per batch. The triggers touch the index only for rows
	// at or below the watermark; an insert lands there only when a deleted
	// top row's ID is used again.
	`CREATE TABLE fts_watermark (upto INTEGER NOT NULL) STRICT;
	INSERT INTO fts_watermark (upto) SELECT coalesce(max(id), 0) FROM messages;
	DROP TRIGGER messages_fts_insert;
	DROP TRIGGER messages_fts_delete;
	DROP TRIGGER messages_fts_update;
	CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
		WHEN new.id <= (SELECT upto FROM fts_watermark) BEGIN
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;
	CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
		WHEN old.id <= (SELECT upto FROM fts_watermark) BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
	END;
	CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, peer ON messages
		WHEN old.id <= (SELECT upto FROM fts_watermark) BEGIN
		INSERT INTO messages_fts (messages_fts, rowid, text, peer)
			VALUES ('delete', old.id, old.text, old.peer);
		INSERT INTO messages_fts (rowid, text, peer) VALUES (new.id, new.text, new.peer);
	END;`,
}

// goSteps run after the SQL of the migration to the version they are
// keyed by, in the same transaction.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx) error{
	3: rekeyPeers,
}

// rekeyPeers writes every peer as its identity, so a conversation that an
// older build (or another program) filed under two spellings of one
// person becomes one, in the order the messages were stored. Rows whose
// peer is no SIP identity at all are left as they are.
func rekeyPeers(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT peer FROM messages`)
	if err != nil {
		return err
	}
	var peers []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		peers = append(peers, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range peers {
		id, err := identity.Parse(p)
		if err != nil || id.String() == p {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET peer = ? WHERE peer = ?`, id.String(), p); err != nil {
			return err
		}
	}
	return nil
}

// migrate brings db to len(migrations) in one transaction, so a failed
// upgrade leaves the file exactly as the previous release wrote it.
func migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	return migrateTo(ctx, db, log, len(migrations))
}

func migrateTo(ctx context.Context, db *sql.DB, log *slog.Logger, target int) error {
	// Look before taking the write lock: an up-to-date file, the usual
	// case, then opens without writing at all (and opens read-only).
	v, err := schemaVersion(ctx, db)
	if err != nil || v >= target {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Again under the lock: another process may have migrated meanwhile.
	if v, err = schemaVersion(ctx, tx); err != nil || v >= target {
		return err
	}
	for i := v; i < target; i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if step := goSteps[i+1]; step != nil {
			if err := step(ctx, tx); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
	}
	// PRAGMA takes no parameters; target is an int we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	log.Info("history schema migrated", "from", v, "to", target)
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion reads user_version and refuses a file from a newer build,
// whose schema this code would misread or damage.
func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, err
	}
	if v > len(migrations) {
		return v, fmt.Errorf("schema version %d is newer than this build knows (%d)", v, len(migrations))
	}
	return v, nil
}
