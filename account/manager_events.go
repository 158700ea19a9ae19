package account

import (
	"sync"

	"github.com/parley-im/parley/internal/fifo"
	"github.com/parley-im/parley/sipclient"
)

// merger is the Manager's one event stream: an unbounded FIFO fed by
// every client's stream and by the Manager itself. It never blocks a
// source (chat events are never dropped), and its output closes once end
// was called and every source has run dry.
type merger struct {
	q       *fifo.Queue[sipclient.Event]
	out     <-chan sipclient.Event
	sources sync.WaitGroup
	// tap, when set, sees and may complete each client event before it
	// is queued (lastseen.go). Set before the first follow.
	tap func(sipclient.Event) sipclient.Event
}

func newMerger() *merger {
	q := fifo.New[sipclient.Event]()
	return &merger{q: q, out: q.Out()}
}

// push queues one event; after the end it is dropped.
func (m *merger) push(e sipclient.Event) { m.q.Push(e) }

// follow forwards a client's stream until it closes; the returned channel
// closes when everything it carried is queued. The caller must not follow
// a stream after end.
func (m *merger) follow(ch <-chan sipclient.Event) <-chan struct{} {
	drained := make(chan struct{})
	m.sources.Add(1)
	go func() {
		defer m.sources.Done()
		defer close(drained)
		for e := range ch {
			if m.tap != nil {
				e = m.tap(e)
			}
			m.q.Push(e)
		}
	}()
	return drained
}

// end closes the output once every followed stream is drained and what
// they carried is delivered. It does not wait.
func (m *merger) end() {
	go func() {
		m.sources.Wait()
		m.q.Close()
	}()
}
