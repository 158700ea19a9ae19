package main

import (
	"runtime/debug"
	"time"
)

// burstGCPercent is the garbage collector's target while the start-up
// burst (a SUBSCRIBE, its answer and a NOTIFY per contact) runs. The
// contacts' lasting state is made in that burst among many times its
// size of garbage; at the default 100 the garbage piles up between
// collections, and the lasting objects end up spread thinly over memory
// that cannot be handed back (with 1,000 contacts, 6 MB of spans held by
// 9.5 MB of live heap). Collecting at every tenth of growth keeps them
// packed: with 1,000 contacts 3.1 MB less RSS (143.3 MB instead of
// 146.4; 25 gives 144.3, 40 145.1) for ~130 ms more CPU once, in the
// first 10 s (930 ms instead of 800; scripts/measure-desktop.sh,
// cpu_ms_first_10s, medians of 3 interleaved). Before the first frame it
// stays at the default: parsing fonts and laying out the window is not
// slowed.
const burstGCPercent = 10

// settleMemory collects more often through the start-up burst, then
// restores the user's setting and hands what the burst freed back to the
// system. A GOGC below the burst's, or off, is left alone.
func settleMemory(burst time.Duration) {
	prev := debug.SetGCPercent(burstGCPercent)
	if prev < 0 || prev < burstGCPercent {
		debug.SetGCPercent(prev)
	}
	time.AfterFunc(burst, func() {
		debug.SetGCPercent(prev)
		// Start-up garbage (fonts, the first layout, the burst) is freed
		// by the collector but handed back to the system only slowly.
		debug.FreeOSMemory()
	})
}
