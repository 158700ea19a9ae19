package sipclient

import "sync"

// eventQueue is an unbounded FIFO between SIP handlers and the consumer.
// Handlers must never block on a slow UI, and chat events must never be
// dropped, so the queue grows instead of dropping or blocking.
type eventQueue struct {
	mu     sync.Mutex
	items  []Event
	wake   chan struct{}
	out    chan Event
	done   chan struct{}
	once   sync.Once
	closed bool
}

func newEventQueue() *eventQueue {
	q := &eventQueue{
		wake: make(chan struct{}, 1),
		out:  make(chan Event),
		done: make(chan struct{}),
	}
	go q.pump()
	return q
}

func (q *eventQueue) push(e Event) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pump moves events to out in order; out is closed once close was called
// and everything queued before it has been delivered.
func (q *eventQueue) pump() {
	defer close(q.out)
	for {
		q.mu.Lock()
		batch := q.items
		q.items = nil
		closed := q.closed
		q.mu.Unlock()
		for _, e := range batch {
			select {
			case q.out <- e:
			case <-q.done:
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		if closed {
			return
		}
		<-q.wake
	}
}

// close stops accepting events; queued ones are still delivered unless the
// consumer stops reading, in which case abandon ends the pump.
func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) abandon() {
	q.close()
	q.once.Do(func() { close(q.done) })
}
