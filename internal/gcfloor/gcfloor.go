// Package gcfloor keeps the Go heap goal from falling below a floor.
//
// Go collects when the heap reaches (1 + GOGC/100) times what the last
// collection left live, and at least 4 MiB × GOGC/100. A process whose
// live heap is 1 MiB, as parley-cli's is, then collects after every 3 MiB
// it allocates: 61 times a second under a burst of MESSAGEs (6.5 KB
// allocated for each), and every collection also shrank the stacks of the
// request goroutines, which the next requests grew again. Start raises
// GOGC after each collection so that the next goal is the floor while the
// live heap is below half of it; from there on GOGC is 100, so memory
// follows the live heap as it would without it.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// heapMinimum is the runtime's smallest heap goal at GOGC=100; it scales
// with GOGC.
const heapMinimum = 4 << 20

// percent is the GOGC that makes the heap goal after a collection that
// left live bytes equal to floor, and never less than 100.
func percent(live, floor uint64) int {
	live = max(live, 1)
	if 2*live >= floor {
		return 100
	}
	p := (floor - live) * 100 / live // goal = live × (1 + p/100)
	// The minimum goal grows with GOGC too: keep it at the floor.
	p = min(p, floor*100/heapMinimum)
	return int(max(p, 100))
}

// Start keeps the heap goal at floor bytes or more until stop is called,
// which sets GOGC back to what it was. With GOGC set in the environment
// it does nothing: that choice is the user's.
func Start(floor uint64) (stop func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(100)
	var mu sync.Mutex // a finalizer may run while stop does
	stopped := false
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A finalizer runs once after the collection that finds its
		// object unreachable: one adjustment per collection. Not a
		// zero-sized object: those are never on the heap.
		s := new([16]byte)
		runtime.SetFinalizer(s, func(*[16]byte) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetGCPercent(percent(sample[0].Value.Uint64(), floor))
			}
			arm()
		})
	}
	arm()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			stopped = true
			debug.SetGCPercent(prev)
		}
	}
}
