package baresip

import (
	"fmt"
	"strings"
	"time"
)

// Message is a SIP MESSAGE baresip received, with its answer to it.
type Message struct {
	From        string // URI of the From header, without parameters
	To          string // URI of the To header, without parameters
	ContentType string
	Text        string
	CallID      string
	Code        int // baresip's final response: 200, or 415 for non-text/plain
}

// SendMessage sends text as a SIP MESSAGE (text/plain) to uri, which must be
// one of Options.Contacts or Options.MessageContacts, and waits for the final
// response: nil for 2xx, *ResponseError otherwise. baresip 1.0 sends it to
// the URI without parameters, hence always over UDP. Leading and trailing
// white space of text may be trimmed by baresip's command parser.
func (p *Peer) SendMessage(uri, text string) error {
	target := aorKey(uri)
	idx := -1
	for i, c := range p.l.contacts {
		if c == target {
			idx = i
			break
		}
	}
	if idx < 0 {
		return fmt.Errorf("%w: %s (contacts: %v)", ErrUnknownContact, uri, p.l.contacts)
	}
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	if err := p.selectContact(idx); err != nil {
		return err
	}
	p.out.mu.Lock()
	mark := len(p.out.msgs)
	p.out.mu.Unlock()
	if _, err := p.command("message", text); err != nil {
		return err
	}
	return p.awaitMessageResult(mark, target)
}

// selectContact makes contacts[idx] the contact module's current contact by
// stepping with contact_next / contact_prev (the only way in baresip 1.0).
func (p *Peer) selectContact(idx int) error {
	for steps := 0; p.cur != idx && steps <= len(p.l.contacts); steps++ {
		cmd, delta := "contact_next", 1
		if idx < p.cur {
			cmd, delta = "contact_prev", -1
		}
		data, err := p.command(cmd, "")
		if err != nil {
			return err
		}
		p.cur += delta
		_, shown, _ := strings.Cut(stripANSI(data), "Current contact:")
		if aorKey(shown) != p.l.contacts[p.cur] {
			return fmt.Errorf("%w: %s moved to %q, expected %s", ErrCommand, cmd, data, p.l.contacts[p.cur])
		}
	}
	if p.cur != idx {
		return fmt.Errorf("%w: could not select contact %d", ErrCommand, idx)
	}
	return nil
}

// awaitMessageResult finds the MESSAGE baresip sent after mark and its final
// response.
func (p *Peer) awaitMessageResult(mark int, target string) error {
	own := aorKey(p.l.aor)
	var req, resp *SIPMessage
	err := p.out.waitFor(p.opts.Timeout, func() bool {
		for _, m := range p.out.msgs[mark:] {
			switch {
			case req == nil && m.Method == "MESSAGE" && aorKey(m.Get("From")) == own &&
				aorKey(m.RequestURI) == target:
				req = m
			case req != nil && m.StatusCode >= 200 && m.transactionKey() == req.transactionKey():
				resp = m
				return true
			}
		}
		return false
	})
	switch {
	case err != nil && req == nil:
		return fmt.Errorf("no MESSAGE to %s in the trace: %w", target, err)
	case err != nil:
		return fmt.Errorf("MESSAGE to %s got no final response: %w", target, err)
	case resp.StatusCode >= 300:
		return &ResponseError{Method: "MESSAGE", Code: resp.StatusCode, Reason: resp.Reason}
	}
	return nil
}

// NextMessage returns the oldest incoming MESSAGE not yet returned, waiting
// up to timeout for one (and for baresip's answer to it). UDP
// retransmissions are reported once.
func (p *Peer) NextMessage(timeout time.Duration) (Message, error) {
	p.recvMu.Lock()
	defer p.recvMu.Unlock()
	own := aorKey(p.l.aor)
	var got Message
	var key string
	err := p.out.waitFor(timeout, func() bool {
		for i, m := range p.out.msgs {
			if m.Method != "MESSAGE" || aorKey(m.Get("From")) == own || p.taken[m.transactionKey()] {
				continue
			}
			key = m.transactionKey()
			code := responseCode(p.out.msgs[i+1:], key)
			if code == 0 {
				return false // answer not traced yet
			}
			got = Message{From: uriOf(m.Get("From")), To: uriOf(m.Get("To")),
				ContentType: m.Get("Content-Type"), Text: m.Body, CallID: m.Get("Call-ID"), Code: code}
			return true
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("waiting %v for an incoming MESSAGE: %w", timeout, err)
	}
	p.taken[key] = true
	return got, nil
}

// WaitMessage is NextMessage reduced to sender URI and text.
func (p *Peer) WaitMessage(timeout time.Duration) (from, text string, err error) {
	m, err := p.NextMessage(timeout)
	return m.From, m.Text, err
}

// responseCode returns the first final status code for the transaction key.
func responseCode(msgs []*SIPMessage, key string) int {
	for _, m := range msgs {
		if m.StatusCode >= 200 && m.transactionKey() == key {
			return m.StatusCode
		}
	}
	return 0
}

// uriOf extracts the URI of a name-addr/addr-spec without parameters,
// keeping its case.
func uriOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	if j := strings.IndexAny(s, ";?"); j >= 0 {
		s = s[:j]
	}
	return s
}
