package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

type flags struct {
	listen, user, name, transport string
	status, note, policy          string
	data                          string // directory of history.db, "" for memory
	roster                        string // the app's roster.json to read contacts from, "" for none
	strangerLimit                 int    // messages a minute stored per stranger, 0 for no limit
	backoff                       []time.Duration
	contacts                      []string
	trace, verbose                bool
	noReadReceipts, noTyping      bool            // the user's IM choices, both on by default
	set                           map[string]bool // flags given on the command line
	acct                          accountFlags    // server mode; zero for direct mode
	server                        *sipclient.ServerConfig
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func parseFlags(args []string) (*flags, error) {
	f := &flags{set: map[string]bool{}}
	fs := f.flagSet()
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: commands are read from stdin", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if err := f.acct.check(f.set); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *flags) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("parley-cli", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:5060", "`HOST:PORT` to listen on (UDP and TCP)")
	fs.StringVar(&f.user, "user", "parley", "user `NAME`: own address is sip:NAME@HOST:PORT; in server mode the contact's user (default there: the AOR's user)")
	fs.StringVar(&f.name, "display-name", "", "display `NAME` in From headers")
	fs.StringVar(&f.transport, "transport", "udp", "transport for outgoing requests to peers: udp or tcp (the server's comes from --registrar or the account)")
	fs.StringVar(&f.status, "status", "available", "initial status: available|away|busy|dnd|onthephone|offline")
	fs.StringVar(&f.note, "note", "", "initial status note")
	fs.StringVar(&f.policy, "watchers", "allow", "who may watch our presence: allow|ask|block")
	fs.StringVar(&f.roster, "roster", "", "read contacts, blocks and watcher answers from the app's contact book `FILE` (roster.json); it is never written")
	fs.IntVar(&f.strangerLimit, "stranger-limit", 0, "store at most `N` messages a minute from each sender not in the contact list (10×N from all), as the app does with 30; beyond, 503 with Retry-After; 0: no limit")
	fs.Var((*multi)(&f.contacts), "contact", "contact `URI` to subscribe to at start (repeatable); in server mode addresses in the account's domain go through the registrar")
	fs.StringVar(&f.data, "data", "", "keep chat history and the outbox in `DIR`/history.db (default: in memory)")
	fs.Func("retry-backoff", "delays between automatic resends, e.g. `5s,15s,1m` (the last repeats)", f.setBackoff)
	fs.BoolVar(&f.noReadReceipts, "no-read-receipts", false, "never tell peers when their messages were read (the read command then only settles them)")
	fs.BoolVar(&f.noTyping, "no-typing", false, "never tell peers while the user types (the typing command then sends nothing)")
	fs.BoolVar(&f.trace, "sip-trace", false, "print SIP traffic to stderr (credentials redacted)")
	fs.BoolVar(&f.verbose, "v", false, "debug logging")
	f.acct.register(fs)
	return fs
}

const usageHead = `usage: parley-cli [flags]

Reads one command per line on stdin, prints one JSON event per line on stdout.
Direct mode (default): peers are reached at their IP address and port.
Server mode: register an account with a SIP server, either a configured one,
  parley-cli --account NAME
or one given here, the password read from an environment variable:
  ALICE_PW=... parley-cli --aor sip:alice@example.test \
      --registrar 'sip:127.0.0.1:5070;transport=tcp' --password-env ALICE_PW
No flag takes a password.

Flags:
`

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

func (f *flags) newClient(log *slog.Logger, store *history.Store, book *account.Book) (*sipclient.Client, error) {
	st, err := sipclient.ParseStatus(f.status)
	if err != nil {
		return nil, err
	}
	opts := []sipclient.Option{sipclient.WithLogger(log), sipclient.WithBook(book),
		sipclient.WithOutboxBackoff(f.backoff...),
		sipclient.WithIMPrefs(sipclient.IMPrefs{TypingNotices: !f.noTyping, ReadReceipts: !f.noReadReceipts})}
	if store != nil {
		opts = append(opts, sipclient.WithStore(store))
	}
	if f.strangerLimit > 0 {
		opts = append(opts, account.StrangerLimit(f.strangerLimit))
	}
	if f.trace {
		opts = append(opts, sipclient.WithTrace(io.Writer(os.Stderr)))
	}
	cfg := sipclient.Config{
		ListenAddr: f.listen, User: f.user, DisplayName: f.name, Transport: f.transport,
		Presence: sipclient.Presence{Status: st, Note: f.note}, Server: f.server,
	}
	return sipclient.New(cfg, opts...)
}

// newBook is the contact list: the app's book when --roster names it, in
// memory (never written), and the --contact flags and subscribe commands
// added to it. --watchers says what strangers who watch get.
func (f *flags) newBook() (*account.Book, error) {
	stranger := sipclient.Allow
	switch f.policy {
	case "ask":
		stranger = sipclient.Ask
	case "block":
		stranger = sipclient.Block
	}
	if f.roster == "" {
		return account.NewMemoryBook(stranger), nil
	}
	return account.ReadBook(f.roster, stranger)
}
