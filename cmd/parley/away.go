package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/ui/desktop/idle"
)

// watchDesktop sets the core going with the desktop: Away while the user
// is gone for the core's threshold (the setting, or --idle-away; 0:
// never) or the screen is locked, and renewed after each wake-up. It
// returns what the settings say when the desktop cannot tell ("" when it
// can) and a stop function.
func watchDesktop(core *account.Manager, log *slog.Logger) (unavailable string, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	d := idle.Detect(log)
	d.Resumes(ctx, func() {
		if err := core.Resumed(ctx); err != nil {
			log.Warn("renewing after a wake-up", "error", err)
		}
	})
	stop = func() { cancel(); d.Close() }
	if !d.Available() {
		return idle.Unavailable + ", so your status does not change by itself.", stop
	}
	go core.WatchAutoAway(ctx, func(ctx context.Context, threshold time.Duration) <-chan account.Desktop {
		log.Info("auto-away", "after", threshold, "sources", d.Sources())
		return awayStates(ctx, d, threshold, log)
	})
	return "", stop
}

// awayStates is the desktop's word, away or not, until ctx ends.
func awayStates(ctx context.Context, d *idle.Desktop, threshold time.Duration, log *slog.Logger) <-chan account.Desktop {
	away := make(chan account.Desktop)
	go func() {
		defer close(away)
		for st := range d.Watch(ctx, threshold) {
			log.Debug("desktop", "idle", st.Idle, "locked", st.Locked)
			select {
			case away <- account.Desktop{Away: st.Away(), Idle: st.Idle}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return away
}
