package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PARLEY_HEAPPROFILE names the file the heap profile is written to.
func TestHeapProfileWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pb.gz")
	t.Setenv("PARLEY_HEAPPROFILE", path)
	heapProfileAfter(0, slog.Default())
	for range 100 {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no heap profile at %s within 5 s", path)
}
