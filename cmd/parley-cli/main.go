// Command parley-cli is Parley's headless client: the same SIP core as the
// desktop app, driven by one command per line on stdin and reporting one
// JSON object per line on stdout. It is meant for scripts and tests.
//
// It talks to peers directly, or, in server mode, registers an account
// with a SIP server (--account NAME from the settings, or --aor URI with
// --registrar and --password-env) and reports "registration" and
// "publication" events besides the others. No flag takes a password.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/parley-im/parley/internal/gcfloor"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

// heapFloor is the smallest heap goal parley-cli lets Go's collector aim
// for (unless GOGC is set). Its live heap is ~1 MiB, so by default a
// burst of 17,000 MESSAGEs/s was collected 61 times a second, a fifth of
// its CPU; with the floor, a few times.
const heapFloor = 32 << 20

func main() {
	gcfloor.Start(heapFloor) // for the whole run
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	f, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 2
	}
	stopProfile, err := startProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 1
	}
	defer stopProfile()
	log := slog.New(sipclient.RedactingHandler(sipclient.QuietStackNoise(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: f.logLevel()}))))
	slog.SetDefault(log) // sipgo logs some things through the default logger
	out := newEmitter(os.Stdout)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := f.resolveServer(ctx, osOutside(), log); err != nil {
		out.error("account", err.Error())
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 1
	}
	store, herr := openHistory(ctx, f.data, log)
	if store != nil {
		defer store.Close() // after client.Close: the client writes to it until then
	}
	book, err := f.newBook()
	if err != nil {
		out.error("roster", err.Error())
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 1
	}
	out.book = book
	client, err := f.newClient(log, store, book)
	if err != nil {
		out.error("start", err.Error())
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 1
	}
	done := make(chan struct{})
	go func() {
		out.events(client.Events())
		close(done)
	}()
	out.ready(client)
	if herr != nil {
		out.error("history", herr.Error()+"; messages are kept in memory for this session")
	}
	client.ResumeOutbox() // what a previous run could not send goes out now
	sh := &shell{client: client, book: book, out: out}
	for _, c := range f.contacts {
		sh.exec(ctx, "subscribe "+c)
	}
	sh.run(ctx, os.Stdin)
	client.Close()
	<-done
	return 0
}

// openHistory opens DIR/history.db. Without --data it returns nil, nil;
// when the file cannot be used, nil and an error matching
// history.ErrUnavailable. With nil the client keeps history in memory.
func openHistory(ctx context.Context, dir string, log *slog.Logger) (*history.Store, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: %w", history.ErrUnavailable, err)
	}
	return history.Open(ctx, filepath.Join(dir, "history.db"), history.WithLogger(log))
}
