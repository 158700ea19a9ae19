package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"

	"github.com/parley-im/parley/ui"
	"github.com/parley-im/parley/ui/desktop/handoff"
)

// handOverWait bounds how long a second start waits for the running
// Parley, which may itself be starting (its window not up yet).
const handOverWait = 30 * time.Second

// handOver gives a second start's arguments (sip: links, or none) to the
// Parley that holds the profile's lock, which raises its window and opens
// the chats; this process then exits 0 without a window of its own.
func handOver(sock string, args []string, running error) error {
	ctx, cancel := context.WithTimeout(context.Background(), handOverWait)
	defer cancel()
	if err := handoff.Send(ctx, sock, args); err != nil {
		return fmt.Errorf("%w, but it did not answer (%w); if it is stuck, end it and start Parley again", running, err)
	}
	return nil
}

// listenLinks opens the socket later starts hand their links to. Without
// it Parley still runs; a second start then says the first did not answer.
func listenLinks(sock string, log *slog.Logger) *handoff.Server {
	srv, err := handoff.Listen(sock, log)
	if err != nil {
		if !errors.Is(err, handoff.ErrNotRunning) { // ErrNotRunning: no hand-over on this system
			log.Warn("links from other starts are not received", "error", err)
		}
		return nil
	}
	return srv
}

func closeLinks(srv *handoff.Server) {
	if srv != nil {
		srv.Close()
	}
}

// serveLinks opens the chats this start was given, then those of later
// starts, each raising the window first.
func serveLinks(srv *handoff.Server, u *ui.App, args []string) {
	for _, l := range args {
		u.OpenLink(l)
	}
	if srv == nil {
		return
	}
	srv.Serve(func(args []string) {
		fyne.Do(func() {
			u.Raise()
			for _, l := range args {
				u.OpenLink(l)
			}
		})
	})
}
