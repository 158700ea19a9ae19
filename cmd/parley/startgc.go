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
// packed: with 1,000 contacts 3.5 MB less RSS (4.7 KB a contact instead
// of 8.6), and no more CPU in the first 10 s that the noise lets one see
// (scripts/measure-desktop.sh, cpu_ms_first_10s). Before the first frame
// it stays at the default: parsing fonts and laying out the window is
// not slowed.
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
