package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

type flags struct {
	listen, user, name, transport string
	status, note, policy          string
	data                          string // directory of history.db, "" for memory
	backoff                       []time.Duration
	contacts                      []string
	trace, verbose                bool
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("parley-cli", flag.ContinueOnError)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:5060", "`HOST:PORT` to listen on (UDP and TCP)")
	fs.StringVar(&f.user, "user", "parley", "user `NAME`: own address is sip:NAME@HOST:PORT")
	fs.StringVar(&f.name, "display-name", "", "display `NAME` in From headers")
	fs.StringVar(&f.transport, "transport", "udp", "transport for outgoing requests: udp or tcp")
	fs.StringVar(&f.status, "status", "available", "initial status: available|away|busy|dnd|onthephone|offline")
	fs.StringVar(&f.note, "note", "", "initial status note")
	fs.StringVar(&f.policy, "watchers", "allow", "who may watch our presence: allow|ask|block")
	fs.Var((*multi)(&f.contacts), "contact", "contact `URI` to subscribe to at start (repeatable)")
	fs.StringVar(&f.data, "data", "", "keep chat history and the outbox in `DIR`/history.db (default: in memory)")
	fs.Func("retry-backoff", "delays between automatic resends, e.g. `5s,15s,1m` (the last repeats)", f.setBackoff)
	fs.BoolVar(&f.trace, "sip-trace", false, "print SIP traffic to stderr (credentials redacted)")
	fs.BoolVar(&f.verbose, "v", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *flags) logLevel() slog.Level {
	if f.verbose {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

func (f *flags) setBackoff(v string) error {
	f.backoff = nil
	for _, s := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 {
			return fmt.Errorf("want positive durations like 5s,15s,1m, got %q", s)
		}
		f.backoff = append(f.backoff, d)
	}
	return nil
}

func (f *flags) newClient(log *slog.Logger, store *history.Store) (*sipclient.Client, error) {
	st, err := sipclient.ParseStatus(f.status)
	if err != nil {
		return nil, err
	}
	opts := []sipclient.Option{sipclient.WithLogger(log), sipclient.WithPolicy(policyFor(f.policy)),
		sipclient.WithOutboxBackoff(f.backoff...)}
	if store != nil {
		opts = append(opts, sipclient.WithStore(store))
	}
	if f.trace {
		opts = append(opts, sipclient.WithTrace(io.Writer(os.Stderr)))
	}
	cfg := sipclient.Config{
		ListenAddr: f.listen, User: f.user, DisplayName: f.name, Transport: f.transport,
		Presence: sipclient.Presence{Status: st, Note: f.note},
	}
	return sipclient.New(cfg, opts...)
}

func policyFor(name string) sipclient.Policy {
	d := sipclient.Allow
	switch name {
	case "ask":
		d = sipclient.Ask
	case "block":
		d = sipclient.Block
	}
	return func(string) sipclient.Decision { return d }
}
