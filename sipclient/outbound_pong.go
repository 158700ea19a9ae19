package sipclient

import (
	"net"
	"sync"
	"time"
)

// The CRLF keep-alive's answer (RFC 5626 4.4.1) as the read filter sees
// it. sipgo drops a bare CRLF pong, and a pong may arrive glued to the
// next SIP message in one read (a NOTIFY burst), so a pong is not told
// apart: any bytes read on a connection prove the flow carries traffic
// from the server, and count as its answer.

// streamReadsKept is how many connections' last reads are remembered
// before the stale ones are forgotten.
const streamReadsKept = 32

// streamReads is when bytes last came in on each stream connection, by
// its local address.
type streamReads struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// note records a read of n bytes on the connection from local now.
func (r *streamReads) note(local net.Addr, n int, now time.Time) {
	if local == nil || n == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	if len(r.last) >= streamReadsKept {
		r.forget(now.Add(-time.Minute)) // far older than any pong wait
	}
	r.last[local.String()] = now
}

// forget drops the connections silent since before.
func (r *streamReads) forget(before time.Time) {
	for k, t := range r.last {
		if t.Before(before) {
			delete(r.last, k)
		}
	}
}

func (r *streamReads) at(local string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[local]
}

// notePong notes a read on a stream connection: a CRLF pong, a SIP
// message, or both in one read.
func (c *Client) notePong(local net.Addr, data []byte) {
	c.reads.note(local, len(data), time.Now())
}

// lastPong is when bytes last came in on the stream connection from
// local; zero if never.
func (c *Client) lastPong(local string) time.Time { return c.reads.at(local) }
