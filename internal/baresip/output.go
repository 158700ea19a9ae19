package baresip

import (
	"bufio"
	"io"
	"strings"
	"sync"
	"time"
)

// output collects baresip's combined stdout/stderr: the readable log, the
// plain (non-trace) lines and the traced SIP messages.
type output struct {
	mu      sync.Mutex
	log     strings.Builder
	lines   []string
	msgs    []*SIPMessage
	eof     bool
	changed chan struct{} // closed and replaced on every change
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

// notifyLocked wakes all waiters; o.mu must be held.
func (o *output) notifyLocked() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// consume reads r until EOF, then marks the output finished.
func (o *output) consume(r io.Reader) {
	br := bufio.NewReaderSize(r, 64*1024)
	p := &traceParser{
		onMsg:  func(m *SIPMessage) { o.msgs = append(o.msgs, m) },
		onLine: func(l string) { o.lines = append(o.lines, l) },
	}
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			o.mu.Lock()
			o.log.WriteString(strings.ReplaceAll(stripANSI(line), "\r\n", "\n"))
			p.feed(line)
			o.notifyLocked()
			o.mu.Unlock()
		}
		if err != nil {
			break
		}
	}
	o.mu.Lock()
	o.eof = true
	o.notifyLocked()
	o.mu.Unlock()
}

// note appends a harness remark to the log.
func (o *output) note(s string) {
	o.mu.Lock()
	o.log.WriteString("[harness] " + strings.TrimRight(s, "\n") + "\n")
	o.mu.Unlock()
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.log.String()
}

// waitFor calls cond under the lock until it returns true, the output ends
// (ErrExited) or the timeout passes (ErrTimeout).
func (o *output) waitFor(timeout time.Duration, cond func() bool) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		o.mu.Lock()
		ok, eof, ch := cond(), o.eof, o.changed
		o.mu.Unlock()
		switch {
		case ok:
			return nil
		case eof:
			return ErrExited
		}
		select {
		case <-ch:
		case <-timer.C:
			return ErrTimeout
		}
	}
}

// contains reports whether a plain log line so far contains sub.
func (o *output) contains(sub string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.containsLocked(sub)
}

// containsLocked is contains with o.mu held (in a waitFor condition).
func (o *output) containsLocked(sub string) bool {
	for _, l := range o.lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
