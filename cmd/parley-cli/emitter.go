package main

import (
	"bufio"
	"encoding/json"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// emitter writes one JSON object per line; it is the CLI's only stdout.
// Lines are flushed whenever no further event is ready: a burst of
// events leaves in a few writes, and nothing waits in the buffer while
// the CLI is idle.
type emitter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	enc  *json.Encoder
	book *account.Book // says whether a message's sender is a contact
}

func newEmitter(w io.Writer) *emitter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &emitter{w: bw, enc: enc}
}

type obj = map[string]any

// write prints v at once.
func (e *emitter) write(v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(v)
	_ = e.w.Flush()
}

// buffer prints v on the next flush.
func (e *emitter) buffer(v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(v)
}

func (e *emitter) flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.w.Flush()
}

func (e *emitter) error(what, detail string) {
	e.write(obj{"event": "error", "what": what, "detail": detail})
}

func (e *emitter) ready(c *sipclient.Client) {
	e.write(obj{"event": "ready", "aor": c.AOR(), "listen": c.ListenAddrs()})
}

// events prints every core event until the stream closes.
func (e *emitter) events(ch <-chan sipclient.Event) {
	for {
		var ev sipclient.Event
		var ok bool
		select {
		case ev, ok = <-ch: // another is ready: no flush between them
		default:
			// One yield lets a runnable sender hand over the next; only
			// when none comes is the buffer flushed before waiting.
			runtime.Gosched()
			select {
			case ev, ok = <-ch:
			default:
				e.flush()
				ev, ok = <-ch
			}
		}
		if !ok {
			e.flush()
			return
		}
		if v := e.eventJSON(ev); v != nil {
			e.buffer(v)
		}
	}
}

// eventJSON is one event as JSON. "peer" is the identity the core keys
// the event by, beside the address as written ("uri", "from", "to").
// Typed values go out as the plain strings they stand for.
func (e *emitter) eventJSON(ev sipclient.Event) any {
	switch ev := ev.(type) {
	case sipclient.PresenceChanged:
		return obj{"event": "presence", "peer": ev.Peer, "uri": ev.URI, "basic": string(ev.Basic), "activity": ev.Activity,
			"note": ev.Note, "contact": ev.Contact, "idle": ev.Idle}
	case sipclient.SubscriptionChanged:
		return obj{"event": "subscription", "peer": ev.Peer, "uri": ev.URI, "state": string(ev.State), "reason": ev.Reason,
			"code": ev.Code, "expires": ev.Expires, "retry_in_ms": ev.RetryIn.Milliseconds()}
	case sipclient.MessageReceived:
		return e.messageJSON(ev)
	case sipclient.TypingChanged:
		state := "idle"
		if ev.Active {
			state = "active"
		}
		return obj{"event": "typing", "peer": ev.Peer, "uri": ev.URI, "state": state}
	case sipclient.MissedCall:
		return obj{"event": "missed_call", "id": ev.ID.String(), "peer": ev.Peer, "from": ev.From, "from_name": ev.FromName,
			"at": ev.At.Format(time.RFC3339)}
	case sipclient.MessageStatus:
		v := obj{"event": "message_status", "peer": ev.Peer, "to": ev.To, "id": ev.ID.String(), "status": string(ev.Status),
			"code": ev.Code, "reason": ev.Reason}
		if !ev.RetryAt.IsZero() {
			v["will_retry"], v["retry_at"] = true, ev.RetryAt.Format(time.RFC3339)
		}
		return v
	case sipclient.WatcherChanged:
		return obj{"event": "watcher", "peer": ev.Peer, "uri": ev.URI, "state": string(ev.State), "reason": ev.Reason, "expires": ev.Expires}
	case sipclient.RegistrationChanged:
		return obj{"event": "registration", "aor": ev.AOR, "state": string(ev.State), "code": ev.Code, "reason": ev.Reason,
			"expires": ev.Expires, "retry_in_ms": ev.RetryIn.Milliseconds()}
	case sipclient.PublicationChanged:
		return obj{"event": "publication", "aor": ev.AOR, "state": string(ev.State), "code": ev.Code, "reason": ev.Reason,
			"expires": ev.Expires}
	case sipclient.Diagnostic:
		return obj{"event": "error", "what": ev.What, "uri": ev.URI, "detail": ev.Detail}
	}
	return nil
}

// messageJSON is a received message; "sent_at" is the time the sender
// gave (CPIM DateTime), "mismatch" says why the CPIM addresses are not
// to be trusted, each only when there is one.
func (e *emitter) messageJSON(ev sipclient.MessageReceived) any {
	v := messageOut{Event: "message", Peer: ev.Peer.String(), Contact: e.book != nil && e.book.IsContact(ev.Peer),
		From: ev.From, FromName: ev.FromName, To: ev.To,
		Text: ev.Text, ContentType: ev.ContentType, CallID: ev.CallID, CPIM: ev.CPIM, Mismatch: ev.Mismatch}
	if !ev.SentAt.IsZero() {
		v.SentAt = ev.SentAt.Format(time.RFC3339)
	}
	return v
}

// messageOut is a message event: a struct, not an obj, because a burst
// of messages made the reflection over a map a tenth of the CLI's CPU.
// Its fields are in the order an obj's sorted keys have, so the line is
// the same.
type messageOut struct {
	CallID      string `json:"call_id"`
	Contact     bool   `json:"contact"`
	ContentType string `json:"content_type"`
	CPIM        bool   `json:"cpim"`
	Event       string `json:"event"`
	From        string `json:"from"`
	FromName    string `json:"from_name"`
	Mismatch    string `json:"mismatch,omitempty"`
	Peer        string `json:"peer"`
	SentAt      string `json:"sent_at,omitempty"`
	Text        string `json:"text"`
	To          string `json:"to"`
}
