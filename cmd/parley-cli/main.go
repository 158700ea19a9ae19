// Command parley-cli is Parley's headless client: the same SIP core as the
// desktop app, driven by one command per line on stdin and reporting one
// JSON object per line on stdout. It is meant for scripts and tests.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/parley-im/parley/sipclient"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	f, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "parley-cli:", err)
		return 2
	}
	log := slog.New(sipclient.RedactingHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: f.logLevel()})))
	slog.SetDefault(log) // sipgo logs some things through the default logger
	out := newEmitter(os.Stdout)
	client, err := f.newClient(log)
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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	sh := &shell{client: client, out: out}
	for _, c := range f.contacts {
		sh.exec(ctx, "subscribe "+c)
	}
	sh.run(ctx, os.Stdin)
	client.Close()
	<-done
	return 0
}
