// Package fifo is the unbounded queue between producers that must never
// block (SIP handlers, the clients of several identities) and one slow
// consumer (a UI). It grows instead of dropping or blocking, because chat
// events must never be lost.
package fifo

import "sync"

// Queue delivers what is pushed, in order, on Out.
type Queue[T any] struct {
	mu     sync.Mutex
	items  []T
	closed bool
	wake   chan struct{}
	out    chan T
	done   chan struct{}
	once   sync.Once
}

// New starts a queue's delivery goroutine.
func New[T any]() *Queue[T] {
	q := &Queue[T]{wake: make(chan struct{}, 1), out: make(chan T), done: make(chan struct{})}
	go q.pump()
	return q
}

// Out is the delivery channel; it closes after Close once everything
// queued before it was delivered.
func (q *Queue[T]) Out() <-chan T { return q.out }

// Push queues v; after Close it is dropped.
func (q *Queue[T]) Push(v T) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.signal()
}

// Close stops accepting; what is queued is still delivered.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// Abandon closes the queue and stops delivery even if nobody reads.
func (q *Queue[T]) Abandon() {
	q.Close()
	q.once.Do(func() { close(q.done) })
}

func (q *Queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *Queue[T]) pump() {
	defer close(q.out)
	for {
		q.mu.Lock()
		batch, closed := q.items, q.closed
		q.items = nil
		q.mu.Unlock()
		for _, v := range batch {
			select {
			case q.out <- v:
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
