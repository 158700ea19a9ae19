package history

import (
	"context"
	"strings"
	"unicode"

	"github.com/parley-im/parley/sipclient/identity"
)

// Search returns up to limit messages, newest first, whose text contains
// every word of query; the last word also matches as a prefix, so results
// can follow the user's typing. peer restricts the search to one
// conversation (the zero ID searches all). Words are plain text: quotes, brackets,
// '*', AND, OR, NOT and NEAR have no special meaning, so no query is a
// syntax error. A query without any letter or digit matches nothing.
func (s *Store) Search(ctx context.Context, query string, peer identity.ID, limit int) ([]Message, error) {
	match := ftsQuery(query)
	if match == "" {
		return nil, nil
	}
	// What the writer has not indexed yet is indexed first, so a search
	// finds every stored message. If that fails (a read-only file), the
	// search still runs on the index as it is.
	if err := s.catchUpIndex(ctx); err != nil {
		s.log.Warn("search index not caught up", "error", err)
	}
	// ORDER BY the FTS rowid lets FTS5 walk its doclists backwards and
	// stop after limit hits instead of ranking every match.
	// The user's words must only match the text column, not the peer.
	match = "{text} : (" + match + ")"
	q := `SELECT ` + mColumns + ` FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid
		WHERE messages_fts MATCH ?`
	args := []any{match}
	if !peer.IsZero() {
		key := peer.String()
		// The phrase of the key's tokens narrows the search inside FTS5;
		// it can also match a different key with the same tokens
		// (sip:a.b@c vs sip:a@b.c), which the exact comparison removes.
		args[0] = match + " AND {peer} : " + quoteFTS(key)
		q += ` AND m.peer = ?`
		args = append(args, key)
	}
	q += ` ORDER BY messages_fts.rowid DESC LIMIT ?`
	rows, err := s.r.QueryContext(ctx, q, append(args, pageSize(limit))...)
	if err != nil {
		return nil, s.wrap("search", err)
	}
	msgs, err := collect(rows)
	return msgs, s.wrap("search", err)
}

// ftsQuery turns what the user typed into an FTS5 query of AND-ed phrases.
// Each whitespace-separated word becomes a quoted string (FTS5's only
// escape is doubling the quote), so its punctuation cannot be syntax; FTS5
// then splits it into tokens as it did the stored text, and "don't" still
// matches "don't". Words with no letter or digit are dropped because they
// hold no token and an empty phrase would match nothing.
func ftsQuery(q string) string {
	var terms []string
	// Control characters separate words too: FTS5 reads the query as a C
	// string, and a NUL would cut a quoted word open.
	sep := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
	for _, w := range strings.FieldsFunc(q, sep) {
		if !strings.ContainsFunc(w, isWordRune) {
			continue
		}
		terms = append(terms, quoteFTS(w))
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*" // prefix match on the word being typed
	return strings.Join(terms, " ")
}

// quoteFTS makes s an FTS5 string; doubling the quote is its only escape.
func quoteFTS(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// isWordRune approximates the unicode61 tokenizer's token characters.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}
