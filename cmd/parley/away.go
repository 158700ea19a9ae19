package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/ui/desktop/idle"
)

// watchDesktop sets the core going with the desktop: Away while the user
// is gone for threshold (0: never) or the screen is locked, and renewed
// after each wake-up. It returns what the status bar says when the
// desktop cannot tell ("" when it can, or auto-away is off) and a stop
// function.
func watchDesktop(core *account.Manager, threshold time.Duration, log *slog.Logger) (unavailable string, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	d := idle.Detect(log)
	d.Resumes(ctx, func() {
		if err := core.Resumed(ctx); err != nil {
			log.Warn("renewing after a wake-up", "error", err)
		}
	})
	stop = func() { cancel(); d.Close() }
	if threshold <= 0 {
		return "", stop
	}
	if !d.Available() {
		return idle.Unavailable + ", so your status does not change by itself.", stop
	}
	log.Info("auto-away", "after", threshold, "sources", d.Sources())
	away := make(chan bool)
	go func() {
		defer close(away)
		for st := range d.Watch(ctx, threshold) {
			log.Debug("desktop", "idle", st.Idle, "locked", st.Locked)
			select {
			case away <- st.Away():
			case <-ctx.Done():
				return
			}
		}
	}()
	go core.RunAutoAway(ctx, away)
	return "", stop
}
