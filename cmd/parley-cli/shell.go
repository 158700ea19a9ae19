package main

import (
	"bufio"
	"context"
	"io"
	"strings"

	"github.com/parley-im/parley/sipclient"
)

// shell runs one command per input line against the client.
type shell struct {
	client *sipclient.Client
	out    *emitter
}

// run reads commands until quit, end of input or ctx ends.
func (s *shell) run(ctx context.Context, in io.Reader) {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case line, ok := <-lines:
			if !ok || !s.exec(ctx, line) {
				return
			}
		}
	}
}

// exec runs one command; it returns false for quit.
func (s *shell) exec(ctx context.Context, line string) bool {
	cmd, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch strings.ToLower(cmd) {
	case "", "#":
	case "quit", "exit":
		return false
	case "status":
		err = s.status(ctx, rest)
	case "subscribe":
		err = s.client.Subscribe(ctx, rest)
	case "unsubscribe":
		err = s.client.Unsubscribe(ctx, rest)
	case "send":
		err = s.send(ctx, rest)
	case "contacts":
		s.contacts()
	case "allow":
		err = s.client.AuthorizeWatcher(rest, sipclient.Allow)
	case "block":
		err = s.client.AuthorizeWatcher(rest, sipclient.Block)
	case "history":
		err = s.history(ctx, rest)
	case "search":
		err = s.search(ctx, rest)
	case "retry":
		err = s.client.RetryMessage(ctx, rest)
	case "delete":
		err = s.delete(ctx, rest)
	case "export":
		err = s.export(ctx, rest)
	default:
		s.out.error("command", "unknown command "+quoteCmd(cmd)+": want status, subscribe, unsubscribe, send, contacts, "+
			"allow, block, history, search, retry, delete, export or quit")
	}
	if err != nil {
		s.out.error(strings.ToLower(cmd), err.Error())
	}
	return true
}

func quoteCmd(c string) string { return "\"" + c + "\"" }

func (s *shell) status(ctx context.Context, args string) error {
	name, note, _ := strings.Cut(args, " ")
	st, err := sipclient.ParseStatus(name)
	if err != nil {
		return err
	}
	return s.client.SetPresence(ctx, sipclient.Presence{Status: st, Note: strings.TrimSpace(note)})
}

func (s *shell) send(ctx context.Context, args string) error {
	uri, text, _ := strings.Cut(args, " ")
	if strings.TrimSpace(text) == "" {
		return errEmptyText
	}
	id, err := s.client.SendMessage(context.WithoutCancel(ctx), uri, text)
	if err == nil {
		s.out.write(obj{"event": "queued", "id": id, "to": uri})
	}
	return err
}

func (s *shell) contacts() {
	for _, sub := range s.client.Subscriptions() {
		s.out.write(obj{"event": "contact", "uri": sub.URI, "state": sub.State})
	}
}

var errEmptyText = errorString("send: want URI and TEXT")

type errorString string

func (e errorString) Error() string { return string(e) }
