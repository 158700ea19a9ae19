package sipclient

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/imdn"
)

// Receipts: disposition notifications (IMDN, RFC 5438) both ways.
//
// Out: a CPIM message that asks for positive-delivery gets its delivery
// notification once it is stored; one that asks for negative-delivery
// and is refused (too large, a type we do not take) gets a failed one;
// display notifications go out when the user saw the chat (MarkRead),
// unless read receipts are off. Notifications always go to the SIP
// sender, never to a CPIM From that disagrees with it, wrapped in CPIM
// as the RFC says (every peer that asks takes CPIM), and are neither
// stored nor retried: a lost one leaves the peer's message at "sent".
//
// In: a notification, bare (Linphone's, whose message-id is the Call-ID
// of a plain text MESSAGE) or in CPIM, moves our message on (see the
// history package for what it does to a failed or read message) and is
// announced as MessageStatus. It is always answered 200 and never shown
// as a chat line; one that names none of our messages to that peer is
// dropped.

// maxMarkRead bounds the display notifications one MarkRead sends.
const maxMarkRead = 500

// newIMDNID makes an imdn.Message-ID: 16 random letters and digits, as
// Linphone's are.
func newIMDNID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand, Go 1.24)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// onReceipt applies a notification from ev's sender.
func (p *pager) onReceipt(ev *MessageReceived, n *imdn.Notification) {
	if n == nil {
		p.log.Debug("unreadable notification dropped", "from", ev.From)
		return
	}
	st, base, err := p.current()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, storeTimeout)
	defer cancel()
	msg, err := st.FindOutgoing(ctx, ev.Peer, n.MessageID)
	if err != nil {
		p.log.Debug("notification about no message of ours", "from", ev.From, "message-id", n.MessageID, "error", err)
		return
	}
	p.caps.update(ev.Peer, true, func(c *history.Caps) {
		if c.IMDN == history.SupportUnknown {
			c.IMDN = history.SupportYes
		}
	})
	// The peer answers before it notifies, but its answer may still be
	// on its way through our send: let that be recorded and announced
	// first, so the user sees sent, then delivered.
	p.awaitSend(ctx, MessageID(base+msg.ID))
	status, reason, code, changed, err := p.applyReceipt(ctx, st, msg, n)
	if err != nil {
		p.log.Warn("recording a notification", "id", base+msg.ID, "error", err)
	}
	if changed {
		p.ua.emit(MessageStatus{ID: MessageID(base + msg.ID), Peer: msg.Peer, To: peerAOR(msg),
			Status: status, Code: code, Reason: reason})
	}
}

// awaitSend waits while message id is being sent, bounded by ctx.
func (p *pager) awaitSend(ctx context.Context, id MessageID) {
	p.mu.Lock()
	busy := p.flying[id]
	p.mu.Unlock()
	if busy == nil {
		return
	}
	select {
	case <-busy:
	case <-ctx.Done():
	}
}

// applyReceipt records what n says of msg.
func (p *pager) applyReceipt(ctx context.Context, st *history.Store, msg history.Message, n *imdn.Notification) (
	status history.State, reason string, code int, changed bool, err error) {
	switch {
	case n.Kind == imdn.KindDisplay && n.Status == imdn.StatusDisplayed:
		changed, err = st.MarkRead(ctx, msg.ID, time.Now())
		return history.StateRead, "", 0, changed, err
	case n.Kind == imdn.KindDelivery && n.Status == imdn.StatusDelivered:
		changed, err = st.MarkDelivered(ctx, msg.ID)
		return history.StateDelivered, "", 0, changed, err
	case n.Kind == imdn.KindDelivery && n.Status.Negative():
		reason = refusedWords(n)
		changed, err = st.MarkRefused(ctx, msg.ID, n.ReasonCode, reason)
		return history.StateFailed, reason, n.ReasonCode, changed, err
	}
	// A display error or forbidden (the peer will not say), processing
	// notifications: nothing to show.
	return "", "", 0, false, nil
}

func refusedWords(n *imdn.Notification) string {
	words := "the peer's app could not take it (" + string(n.Status) + ")"
	if n.Reason != "" {
		words += ": " + n.Reason
	}
	return words
}

// notifyDelivery sends the delivery notification (status delivered, or
// a negative one with why) for a message from ev's sender, in the
// background.
func (p *pager) notifyDelivery(ev *MessageReceived, imdnID string, sentAt time.Time, status imdn.Status, code int, why string) {
	n := &imdn.Notification{MessageID: imdnID, DateTime: orNow(sentAt, ev.At), Kind: imdn.KindDelivery,
		Status: status, ReasonCode: code, Reason: why}
	from := ev.From
	p.spawn(func() { p.sendNotification(from, n) })
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// sendNotification sends n to uri wrapped in CPIM, not stored; a failure
// is only logged.
func (p *pager) sendNotification(uri string, n *imdn.Notification) {
	body, err := imdn.Encode(n)
	if err == nil {
		err = p.sendOne(p.ctx, uri, cpim.ContentType, func(from, to sip.Uri) ([]byte, error) {
			m := imdn.Wrap(cpim.Address{URI: aorString(from)}, cpim.Address{URI: aorString(to)}, newIMDNID(), body)
			return cpim.Encode(m)
		})
	}
	if err != nil && p.ctx.Err() == nil {
		p.log.Info("notification not sent", "to", uri, "kind", n.Kind, "status", n.Status, "error", err)
	}
}

// sendOne sends one MESSAGE that is not stored (a notification, a typing
// notice) to uri, with the body body builds from our From and the To.
func (p *pager) sendOne(ctx context.Context, uri, ct string, body func(from, to sip.Uri) ([]byte, error)) error {
	if p.ua.isClosed() {
		return ErrClosed
	}
	target, err := ParseURI(uri)
	if err != nil {
		return err
	}
	req := p.ua.newRequest(sip.MESSAGE, target)
	b, err := body(req.From().Address, req.To().Address)
	if err != nil {
		return err
	}
	h := sip.ContentTypeHeader(ct)
	req.AppendHeader(&h)
	req.SetBody(b)
	_, err = p.ua.do(ctx, req)
	return err
}

// sendBare is sendOne for a body that does not depend on the addresses.
func (p *pager) sendBare(ctx context.Context, uri, ct string, body []byte) error {
	return p.sendOne(ctx, uri, ct, func(sip.Uri, sip.Uri) ([]byte, error) { return body, nil })
}

// markRead is MarkRead: the display notifications peer's messages asked
// for, each once (claimed in the store, so of clients sharing it one
// sends it), in order, in the background. With read receipts off they
// are settled without a word, so turning them on later does not tell
// the peer about old messages.
func (p *pager) markRead(ctx context.Context, peer identity.ID) error {
	st, _, err := p.current()
	if err != nil {
		return err
	}
	unread, err := st.Unread(ctx, peer, maxMarkRead)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	tell := p.prefs.get().ReadReceipts
	var due []history.Message
	for _, m := range unread {
		if p.sendsTo != nil && !p.sendsTo(peerAOR(m)) {
			continue // another identity's message: it sends the notification
		}
		ok, err := st.ClaimDisplay(ctx, m.ID)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		if ok && tell && m.IMDNID != "" {
			due = append(due, m)
		}
	}
	if len(due) > 0 {
		p.spawn(func() { p.sendDisplays(due) })
	}
	return nil
}

func (p *pager) sendDisplays(msgs []history.Message) {
	for _, m := range msgs {
		if p.ctx.Err() != nil {
			return
		}
		p.sendNotification(m.PeerURI, &imdn.Notification{MessageID: m.IMDNID, DateTime: orNow(m.SentAt, m.At),
			Kind: imdn.KindDisplay, Status: imdn.StatusDisplayed})
	}
}

// spawn runs f as tracked work: the store closes after it. It reports
// false, and runs nothing, once the pager is halted.
func (p *pager) spawn(f func()) bool {
	if !p.enter() {
		return false
	}
	go func() {
		defer p.work.Done()
		f()
	}()
	return true
}
