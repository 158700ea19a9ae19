package sipclient

import "sync"

// startQueue holds the new subscriptions whose first SUBSCRIBE waits for
// a slot (retry.go). One goroutine serves it while it is not empty, so a
// thousand contacts added at start wait as a thousand entries, not as a
// thousand goroutines blocked on the slots, each with its stack (the
// runtime keeps a goroutine's descriptor for good, and the stacks' pages
// stay resident long after).
type startQueue struct {
	mu      sync.Mutex
	waiting []*subscription
	serving bool
}

// push queues s, and starts serve if no one serves the queue.
func (q *startQueue) push(s *subscription, serve func()) {
	q.mu.Lock()
	q.waiting = append(q.waiting, s)
	run := !q.serving
	q.serving = true
	q.mu.Unlock()
	if run {
		go serve()
	}
}

// pop takes the first waiting subscription; with none, the server stops
// (false), and the next push starts another.
func (q *startQueue) pop() (*subscription, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.serving, q.waiting = false, nil
		return nil, false
	}
	s := q.waiting[0]
	q.waiting[0] = nil
	q.waiting = q.waiting[1:]
	return s, true
}

// serveStarts sends each queued subscription's first SUBSCRIBE as a slot
// comes free, until the queue is empty or the list closes.
func (l *subscriptions) serveStarts() {
	for {
		give, ok := l.slots.take(l.ctx)
		if !ok { // closed: nothing more is sent
			for {
				if _, more := l.starts.pop(); !more {
					return
				}
			}
		}
		s, ok := l.starts.pop()
		if !ok {
			give()
			return
		}
		go s.sendHeld(false, give)
	}
}
