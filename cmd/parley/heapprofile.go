package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// heapProfileAfter writes the live heap's profile to PARLEY_HEAPPROFILE
// once the app has run for d (scripts/measure-desktop.sh reads RSS then),
// and prints where the Go runtime's memory is, to compare with the RSS.
func heapProfileAfter(d time.Duration, log *slog.Logger) {
	path := os.Getenv("PARLEY_HEAPPROFILE")
	if path == "" {
		return
	}
	time.AfterFunc(d, func() {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(os.Stderr, "parley: memstats go_kb=%d heap_inuse_kb=%d heap_live_kb=%d heap_idle_kb=%d heap_released_kb=%d "+
			"stacks_kb=%d spans_kb=%d gc_other_kb=%d other_kb=%d objects=%d goroutines=%d\n",
			(m.Sys-m.HeapReleased)>>10, m.HeapInuse>>10, m.HeapAlloc>>10, m.HeapIdle>>10, m.HeapReleased>>10, m.StackSys>>10,
			m.MSpanSys>>10, m.GCSys>>10, m.OtherSys>>10, m.HeapObjects, runtime.NumGoroutine())
		f, err := os.Create(path)
		if err != nil {
			log.Warn("heap profile", "err", err)
			return
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			log.Warn("heap profile", "err", err)
		}
	})
}
