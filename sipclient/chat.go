package sipclient

import (
	"context"
	"fmt"
	"io"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// The chat API: what an application asks of the client about messages.
// The pager (pager.go) does all of it.

// SendMessage stores text for uri in the outbox and returns the message's
// ID at once; it is sent in the background and its fate arrives as
// MessageStatus events with the same ID. A failure that may pass (no
// answer, peer offline or busy) is announced and the message is sent
// again later by itself, also after a restart.
func (c *Client) SendMessage(ctx context.Context, uri, text string) (MessageID, error) {
	return c.pager.send(ctx, uri, text)
}

// QueueMessage stores text for uri in the outbox as pending and returns
// its ID, without sending it: for another client sharing the store (see
// WithOutboxShare) to send when it can, e.g. an account that is not
// signed in yet. Its fate arrives from that client.
func (c *Client) QueueMessage(ctx context.Context, uri, text string) (MessageID, error) {
	return c.pager.queue(ctx, uri, text)
}

// DeliverMessage is SendMessage waiting for the outcome of the first
// attempt. The message goes through the outbox all the same: if the
// outbox took it first, the outcome of its attempt is the answer.
func (c *Client) DeliverMessage(ctx context.Context, uri, text string) (Delivery, error) {
	return c.pager.deliver(ctx, uri, text)
}

// ResumeOutbox starts the outbox now: messages a previous run left pending
// are sent, failed ones are resent when their retry time comes. Any other
// messaging call starts it too; an application calls ResumeOutbox right
// after New so that nothing waits for the user's first action.
func (c *Client) ResumeOutbox() { c.pager.start() }

// RetryMessage sends a failed message again now, as the user asked. Only
// failed outgoing messages can be retried.
func (c *Client) RetryMessage(ctx context.Context, id MessageID) error {
	return c.pager.retry(ctx, id)
}

// DeleteMessage removes a message from the history, and from the outbox
// if it was still there. A send already on its way is not called back.
func (c *Client) DeleteMessage(ctx context.Context, id MessageID) error {
	return c.pager.remove(ctx, id)
}

// History returns up to n messages of the conversation with peer, newest
// first, older than the message beforeID (zero starts from the newest).
// Pass the last ID of a page to get the next.
func (c *Client) History(ctx context.Context, peer identity.ID, beforeID MessageID, n int) ([]ChatMessage, error) {
	return c.pager.history(ctx, peer, beforeID, n)
}

// HistoryAfter returns up to n messages of the conversation with peer
// newer than afterID, oldest first (see history.Store.HistoryAfter).
func (c *Client) HistoryAfter(ctx context.Context, peer identity.ID, afterID MessageID, n int) ([]ChatMessage, error) {
	return c.pager.historyAfter(ctx, peer, afterID, n)
}

// Search returns up to n messages of any conversation, newest first, that
// contain every word of text (the last word also as a prefix).
func (c *Client) Search(ctx context.Context, text string, n int) ([]ChatMessage, error) {
	return c.pager.search(ctx, text, identity.ID{}, n)
}

// SearchConversation is Search within the conversation with peer; the
// chat window searches one conversation.
func (c *Client) SearchConversation(ctx context.Context, peer identity.ID, text string, n int) ([]ChatMessage, error) {
	if peer.IsZero() {
		return nil, fmt.Errorf("%w: search needs a peer", history.ErrInvalid)
	}
	return c.pager.search(ctx, text, peer, n)
}

// Export writes the whole conversation with peer as plain text, one line
// per message with its time and direction, to w.
func (c *Client) Export(ctx context.Context, peer identity.ID, w io.Writer) error {
	return c.pager.export(ctx, peer, w)
}

// SetTyping tells the peer at uri (an address, as for SendMessage) that
// the user is (active) or stopped composing. The core decides whether a
// notice really goes out (typing.go): never with typing notices off,
// never to a peer that refused one, only to a peer that showed it takes
// them (peercaps.go); it refreshes and goes idle by itself. It never
// fails a message nor overtakes one.
func (c *Client) SetTyping(ctx context.Context, uri string, active bool) error {
	return c.pager.typing.set(uri, active)
}

// MarkRead says the user has seen the messages of peer's conversation
// shown to them: display notifications go out for those that asked for
// one, unless read receipts are off. Calling it again sends nothing twice.
func (c *Client) MarkRead(ctx context.Context, peer identity.ID) error {
	return c.pager.markRead(ctx, peer)
}
