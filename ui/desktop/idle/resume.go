package idle

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// Clock-jump detection: every jumpCheck the wall clock and the monotonic
// clock are read; the monotonic one stops while the machine sleeps, the
// wall one does not, so a gap between them beyond jumpTolerance is a
// sleep that login1 did not announce (or a machine without login1).
const (
	jumpCheck     = time.Minute
	jumpTolerance = 10 * time.Second
)

// clock reads the wall clock and the monotonic time since a fixed point.
type clock struct {
	wall func() time.Time
	mono func() time.Duration
}

func systemClock() clock {
	start := time.Now()
	return clock{wall: func() time.Time { return time.Now().Round(0) }, mono: func() time.Duration { return time.Since(start) }}
}

// watchJumps calls resumed after each check that finds the wall clock
// ahead of the monotonic one by more than jumpTolerance, until ctx ends.
func watchJumps(ctx context.Context, c clock, every time.Duration, resumed func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	w0, m0 := c.wall(), c.mono()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w1, m1 := c.wall(), c.mono()
		if w1.Sub(w0)-(m1-m0) > jumpTolerance {
			resumed()
		}
		w0, m0 = w1, m1
	}
}

// login1's Manager signals PrepareForSleep(true) before the machine
// sleeps and PrepareForSleep(false) once it is back.
func watchSleep(ctx context.Context, conn *dbus.Conn, resumed func()) error {
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(loginPath), dbus.WithMatchInterface(loginManager),
		dbus.WithMatchMember("PrepareForSleep")}
	ch, stop, err := signals(ctx, conn, match...)
	if err != nil {
		return fmt.Errorf("idle: %s PrepareForSleep: %w", loginName, err)
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case s, open := <-ch:
			if !open {
				return nil
			}
			if s.Name == loginManager+".PrepareForSleep" && len(s.Body) == 1 && s.Body[0] == false {
				resumed()
			}
		}
	}
}

// Resumes calls resumed each time the machine wakes from sleep: on
// login1's PrepareForSleep(false) when the system bus is there, and on a
// wall-clock jump the monotonic clock did not see, checked once a
// minute. Both may report one wake-up: the callee makes a second call
// cheap. It returns at once; the watching ends with ctx.
func (d *Desktop) Resumes(ctx context.Context, resumed func()) {
	if d.system != nil {
		go func() {
			if err := watchSleep(ctx, d.system, resumed); err != nil {
				d.log.Info("sleep signals unavailable; the clock tells instead", "error", err)
			}
		}()
	}
	go watchJumps(ctx, systemClock(), jumpCheck, resumed)
}
