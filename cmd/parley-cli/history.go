package main

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// defaultPage is how many messages history and search print without N.
const defaultPage = 50

var (
	errHistoryArgs = errorString("history: want URI [N]")
	errSearchArgs  = errorString("search: want TEXT")
	errDeleteArgs  = errorString("delete: want ID")
)

// history prints the last N messages with a peer, oldest first, then
// history_end.
func (s *shell) history(ctx context.Context, args string) error {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 {
		return errHistoryArgs
	}
	n := defaultPage
	if len(f) == 2 {
		var err error
		if n, err = strconv.Atoi(f[1]); err != nil || n <= 0 {
			return errHistoryArgs
		}
	}
	peer, err := identity.Parse(f[0])
	if err != nil {
		return err
	}
	msgs, err := s.client.History(ctx, peer, 0, n)
	if err != nil {
		return err
	}
	slices.Reverse(msgs) // a transcript reads top to bottom
	s.list("history", msgs)
	return nil
}

// search prints the messages containing every word of TEXT, newest first,
// then history_end.
func (s *shell) search(ctx context.Context, text string) error {
	if text == "" {
		return errSearchArgs
	}
	msgs, err := s.client.Search(ctx, text, defaultPage)
	if err != nil {
		return err
	}
	s.list("search_result", msgs)
	return nil
}

func (s *shell) list(event string, msgs []sipclient.ChatMessage) {
	for _, m := range msgs {
		s.out.write(messageJSON(event, m))
	}
	s.out.write(obj{"event": "history_end", "count": len(msgs)})
}

func messageJSON(event string, m sipclient.ChatMessage) obj {
	v := obj{"event": event, "id": m.ID.String(), "peer": m.Peer, "direction": string(m.Direction), "text": m.Text,
		"state": string(m.State), "at": m.At.Format(time.RFC3339)}
	if m.ContentType != "" {
		v["content_type"] = m.ContentType // a missed call's is application/vnd.parley.missed-call
	}
	if m.Direction == history.Out && m.Code != 0 {
		v["code"], v["reason"] = m.Code, m.Reason
	}
	if !m.RetryAt.IsZero() {
		v["will_retry"], v["retry_at"] = true, m.RetryAt.Format(time.RFC3339)
	}
	return v
}

// retry sends the failed message ID again now.
func (s *shell) retry(ctx context.Context, arg string) error {
	id, err := sipclient.ParseMessageID(arg)
	if err != nil {
		return err
	}
	return s.client.RetryMessage(ctx, id)
}

func (s *shell) delete(ctx context.Context, arg string) error {
	if arg == "" {
		return errDeleteArgs
	}
	id, err := sipclient.ParseMessageID(arg)
	if err != nil {
		return err
	}
	if err := s.client.DeleteMessage(ctx, id); err != nil {
		return err
	}
	s.out.write(obj{"event": "deleted", "id": arg})
	return nil
}

// export writes the conversation with URI as plain text to FILE and prints
// {"event":"exported","peer","file"}.
func (s *shell) export(ctx context.Context, args string) error {
	uri, file, _ := strings.Cut(strings.TrimSpace(args), " ")
	file = strings.TrimSpace(file)
	if uri == "" || file == "" {
		return errExportArgs
	}
	peer, err := identity.Parse(uri)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := s.client.Export(ctx, peer, f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	s.out.write(obj{"event": "exported", "peer": uri, "file": file})
	return nil
}

var errExportArgs = errorString("export: want URI FILE")
