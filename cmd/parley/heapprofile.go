package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// heapProfileAfter writes the live heap's profile to PARLEY_HEAPPROFILE
// once the app has run for d (scripts/measure-desktop.sh reads RSS then).
func heapProfileAfter(d time.Duration, log *slog.Logger) {
	path := os.Getenv("PARLEY_HEAPPROFILE")
	if path == "" {
		return
	}
	time.AfterFunc(d, func() {
		runtime.GC()
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
