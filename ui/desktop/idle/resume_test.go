package idle

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestClockJumpIsResume: a wall clock that moves an hour while the
// monotonic one moves a minute is a wake-up; time passing evenly is not.
func TestClockJumpIsResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var skew atomic.Int64
		start := time.Now()
		c := clock{wall: func() time.Time { return time.Now().Add(time.Duration(skew.Load())).Round(0) },
			mono: func() time.Duration { return time.Since(start) }}
		var n atomic.Int32
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go watchJumps(ctx, c, time.Minute, func() { n.Add(1) })
		time.Sleep(10*time.Minute + time.Second)
		if n.Load() != 0 {
			t.Fatalf("%d resumes while time passed evenly", n.Load())
		}
		skew.Store(int64(3 * time.Hour)) // the machine slept three hours
		time.Sleep(time.Minute)
		if n.Load() != 1 {
			t.Fatalf("%d resumes after the clock jumped; want 1", n.Load())
		}
		time.Sleep(5 * time.Minute)
		if n.Load() != 1 {
			t.Fatalf("%d resumes after; want still 1", n.Load())
		}
	})
}
