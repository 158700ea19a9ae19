package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// timeline notes when each start-up step ended, for
// scripts/measure-desktop.sh (PARLEY_TIMING=1): the first frame must
// not wait for anything but the window.
type timeline struct {
	mu    sync.Mutex
	t0    time.Time
	steps []string
}

func newTimeline() *timeline { return &timeline{t0: time.Now()} }

// mark notes that step has ended; a nil timeline notes nothing.
func (t *timeline) mark(step string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.steps = append(t.steps, fmt.Sprintf("%s=%.1fms", step, float64(time.Since(t.t0).Microseconds())/1000))
}

// print writes the steps so far on one line, in the order they ended.
func (t *timeline) print(w io.Writer) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(w, "parley: timeline (since main) %s\n", strings.Join(t.steps, " "))
}
