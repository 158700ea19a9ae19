package account

import (
	"sync"

	"github.com/parley-im/parley/sipclient"
)

// merger is the Manager's one event stream: an unbounded FIFO fed by
// every client's stream and by the Manager itself. It never blocks a
// source (chat events are never dropped), and its output closes once end
// was called and every source has run dry.
type merger struct {
	mu      sync.Mutex
	items   []sipclient.Event
	ended   bool
	wake    chan struct{}
	out     chan sipclient.Event
	sources sync.WaitGroup
}

func newMerger() *merger {
	q := &merger{wake: make(chan struct{}, 1), out: make(chan sipclient.Event)}
	go q.pump()
	return q
}

// push queues one event; after the end it is dropped.
func (q *merger) push(e sipclient.Event) {
	q.mu.Lock()
	if q.ended {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	q.signal()
}

func (q *merger) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// follow forwards a client's stream until it closes; the returned channel
// closes when everything it carried is queued. The caller must not follow
// a stream after end.
func (q *merger) follow(ch <-chan sipclient.Event) <-chan struct{} {
	drained := make(chan struct{})
	q.sources.Add(1)
	go func() {
		defer q.sources.Done()
		defer close(drained)
		for e := range ch {
			q.push(e)
		}
	}()
	return drained
}

// end closes the output once every followed stream is drained and what
// they carried is delivered. It does not wait.
func (q *merger) end() {
	go func() {
		q.sources.Wait()
		q.mu.Lock()
		q.ended = true
		q.mu.Unlock()
		q.signal()
	}()
}

// pump moves events to out in order.
func (q *merger) pump() {
	defer close(q.out)
	for {
		q.mu.Lock()
		batch, ended := q.items, q.ended
		q.items = nil
		q.mu.Unlock()
		for _, e := range batch {
			q.out <- e
		}
		if len(batch) > 0 {
			continue
		}
		if ended {
			return
		}
		<-q.wake
	}
}
