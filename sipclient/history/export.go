package history

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/parley-im/parley/sipclient/identity"
)

// exportIndent starts the continuation lines of a multi-line message, so
// every line that does not start with it starts a new message.
const exportIndent = "    "

// Export writes the conversation with peer as plain text, oldest first,
// one message per line:
//
//	2006-01-02 15:04:05 from sip:bob@example.test: hello
//	2006-01-02 15:04:07 to sip:bob@example.test: hi Bob,
//	    a second line
//
// "from" marks received messages, "to" sent ones (whatever their outbox
// state); times are in the local time zone. The zero peer exports every
// conversation.
func (s *Store) Export(ctx context.Context, peer identity.ID, w io.Writer) error {
	q, args := `SELECT `+columns+` FROM messages ORDER BY id`, []any(nil)
	if !peer.IsZero() {
		q, args = `SELECT `+columns+` FROM messages WHERE peer = ? ORDER BY id`, []any{peer.String()}
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrap("export", err)
	}
	defer rows.Close()
	bw := bufio.NewWriter(w)
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return s.wrap("export", err)
		}
		if _, err := bw.WriteString(exportLine(m)); err != nil {
			return fmt.Errorf("history: export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("export", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("history: export: %w", err)
	}
	return nil
}

// exportLine formats one message, newline included.
func exportLine(m Message) string {
	who := "to"
	if m.Direction == In {
		who = "from"
	}
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ReplaceAll(text, "\n", "\n"+exportIndent)
	return fmt.Sprintf("%s %s %s: %s\n", m.At.Local().Format("2006-01-02 15:04:05"), who, m.Peer, text)
}
