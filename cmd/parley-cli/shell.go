package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// shell runs one command per input line against the client.
type shell struct {
	client *sipclient.Client
	book   *account.Book // the contact list: --roster, --contact and subscribe
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
		err = s.subscribe(ctx, rest)
	case "unsubscribe":
		err = s.unsubscribe(ctx, rest)
	case "send":
		err = s.send(ctx, rest)
	case "contacts":
		s.contacts()
	case "allow":
		err = s.answerWatcher(rest, sipclient.Allow)
	case "block":
		err = s.answerWatcher(rest, sipclient.Block)
	case "history":
		err = s.history(ctx, rest)
	case "search":
		err = s.search(ctx, rest)
	case "retry":
		err = s.retry(ctx, rest)
	case "delete":
		err = s.delete(ctx, rest)
	case "export":
		err = s.export(ctx, rest)
	case "typing":
		err = s.typing(ctx, rest)
	case "read":
		err = s.read(ctx, rest)
	default:
		s.out.error("command", "unknown command "+quoteCmd(cmd)+": want status, subscribe, unsubscribe, send, contacts, "+
			"allow, block, history, search, retry, delete, export, typing, read or quit")
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
		s.out.write(obj{"event": "queued", "id": id.String(), "to": uri})
	}
	return err
}

func (s *shell) contacts() {
	for _, sub := range s.client.Subscriptions() {
		s.out.write(obj{"event": "contact", "uri": sub.URI, "state": string(sub.State)})
	}
}

var errEmptyText = errorString("send: want URI and TEXT")

type errorString string

func (e errorString) Error() string { return string(e) }

// subscribe adds uri to the contact list and watches it.
func (s *shell) subscribe(ctx context.Context, uri string) error {
	if _, err := s.book.Add(account.Contact{URI: uri}); err != nil && !errors.Is(err, account.ErrDuplicate) {
		return err
	}
	return s.client.Subscribe(ctx, uri)
}

// unsubscribe stops watching uri and drops it from the contact list.
func (s *shell) unsubscribe(ctx context.Context, uri string) error {
	who, err := identity.Parse(uri)
	if err != nil {
		return err
	}
	_ = s.book.Remove(who) // a contact from --roster may not be watched; that is fine
	return s.client.Unsubscribe(ctx, who)
}

// answerWatcher remembers the answer in the contact list and applies it
// to the watcher's subscriptions now, as the app does.
func (s *shell) answerWatcher(uri string, d sipclient.Decision) error {
	who, err := identity.Parse(uri)
	if err != nil {
		return err
	}
	if err := s.book.AnswerWatcher(who, d); err != nil {
		return err
	}
	return s.client.AuthorizeWatcher(who, d)
}

// typing tells a peer the user is composing (active) or stopped (idle).
func (s *shell) typing(ctx context.Context, args string) error {
	uri, state, _ := strings.Cut(args, " ")
	switch strings.TrimSpace(state) {
	case "active":
		return s.client.SetTyping(ctx, uri, true)
	case "idle":
		return s.client.SetTyping(ctx, uri, false)
	}
	return errTypingArgs
}

// read says the user saw the conversation with a peer: the display
// notifications it asked for go out.
func (s *shell) read(ctx context.Context, uri string) error {
	who, err := identity.Parse(uri)
	if err != nil {
		return err
	}
	return s.client.MarkRead(ctx, who)
}

var errTypingArgs = errorString("typing: want URI active|idle")
