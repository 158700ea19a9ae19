package gcfloor

import (
	"runtime"
	"testing"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{1 * mib, 32 * mib, 800}, // the minimum goal (4 MiB × 8) is the floor
		{8 * mib, 32 * mib, 300}, // 8 × 4 = 32
		{16 * mib, 32 * mib, 100},
		{200 * mib, 32 * mib, 100},
		{0, 32 * mib, 800},
		{30 * mib, 32 * mib, 100}, // never below the default
	} {
		if got := percent(c.live, c.floor); got != c.want {
			t.Errorf("percent(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.floor/mib, got, c.want)
		}
	}
}

var sink []byte

// churn allocates n bytes in 64 KiB pieces, none kept, and returns how
// many collections that took.
func churn(n int) uint32 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n / (64 << 10) {
		sink = make([]byte, 64<<10)
	}
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

// With little live, 256 MiB of garbage costs a collection per floor's
// worth of it, not one per few MiB.
func TestFloorSpacesCollections(t *testing.T) {
	t.Setenv("GOGC", "") // Start steps aside when GOGC is set
	runtime.GC()
	without := churn(256 << 20)
	stop := Start(64 << 20)
	defer stop()
	runtime.GC() // the first adjustment follows a collection
	runtime.GC()
	with := churn(256 << 20)
	t.Logf("256 MiB of garbage: %d collections without a floor, %d with a 64 MiB floor", without, with)
	if with > 8 {
		t.Errorf("%d collections with a 64 MiB floor, want at most 8 (without it: %d)", with, without)
	}
	if without <= with {
		t.Errorf("the floor saved nothing: %d collections without, %d with", without, with)
	}
}

func TestStepsAsideForGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	stop := Start(64 << 20)
	defer stop()
	runtime.GC()
	runtime.GC()
	if n := churn(64 << 20); n < 4 {
		t.Errorf("%d collections for 64 MiB with GOGC=100 set, want the default pacing (many)", n)
	}
}
