package main

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// emitter writes one JSON object per line; it is the CLI's only stdout.
type emitter struct {
	mu   sync.Mutex
	enc  *json.Encoder
	book *account.Book // says whether a message's sender is a contact
}

func newEmitter(w io.Writer) *emitter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &emitter{enc: enc}
}

type obj = map[string]any

func (e *emitter) write(v obj) {
	e.mu.Lock()
	defer e.mu.Unlock()
	_ = e.enc.Encode(v)
}

func (e *emitter) error(what, detail string) {
	e.write(obj{"event": "error", "what": what, "detail": detail})
}

func (e *emitter) ready(c *sipclient.Client) {
	e.write(obj{"event": "ready", "aor": c.AOR(), "listen": c.ListenAddrs()})
}

// events prints every core event until the stream closes.
func (e *emitter) events(ch <-chan sipclient.Event) {
	for ev := range ch {
		if v := e.eventJSON(ev); v != nil {
			e.write(v)
		}
	}
}

// eventJSON is one event as JSON. "peer" is the identity the core keys
// the event by, beside the address as written ("uri", "from", "to").
// Typed values go out as the plain strings they stand for.
func (e *emitter) eventJSON(ev sipclient.Event) obj {
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
func (e *emitter) messageJSON(ev sipclient.MessageReceived) obj {
	v := obj{"event": "message", "peer": ev.Peer, "contact": e.book != nil && e.book.IsContact(ev.Peer),
		"from": ev.From, "from_name": ev.FromName, "to": ev.To,
		"text": ev.Text, "content_type": ev.ContentType, "call_id": ev.CallID, "cpim": ev.CPIM}
	if !ev.SentAt.IsZero() {
		v["sent_at"] = ev.SentAt.Format(time.RFC3339)
	}
	if ev.Mismatch != "" {
		v["mismatch"] = ev.Mismatch
	}
	return v
}
