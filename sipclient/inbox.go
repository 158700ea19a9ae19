package sipclient

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// ChatMessage is one message of the chat history as the UI shows it.
type ChatMessage struct {
	ID        string      // as SendMessage returned it and MessageStatus carries it
	Peer      identity.ID // who the conversation is with
	PeerURI   string      // the peer's address as seen on the wire
	Direction string      // "in" (received) or "out" (sent by the user)
	Text      string
	At        time.Time // when it was received, or written by the user
	// State is "received" for incoming messages; outgoing ones are
	// "pending", "sent", "stored" (202) or "failed".
	State   string
	Code    int       // last SIP status of an outgoing message
	Reason  string    // why it failed
	RetryAt time.Time // when a failed message is sent again by itself
}

// keepIncoming stores a received message before it is acknowledged; dup
// reports a retransmission or replay of one stored before. If the history
// fails as storage, the message goes to memory instead (see chatStore).
// The returned id is the message's history ID.
func (c *Client) keepIncoming(ev MessageReceived) (id string, dup bool, err error) {
	m := c.box()
	if !c.enter(m) {
		return "", false, ErrClosed
	}
	defer m.work.Done()
	msg := history.Message{Peer: ev.Peer, PeerURI: ev.From, At: ev.At, Text: ev.Text, ContentType: ev.ContentType,
		CallID: ev.CallID, FromTag: ev.FromTag, CSeq: ev.CSeq}
	err = c.storeDo(m, true, func(st *history.Store, base int64) (err error) {
		var n int64
		n, dup, err = st.AddIncoming(context.Background(), msg)
		id = strconv.FormatInt(base+n, 10)
		return err
	})
	return id, dup, err
}

// History returns up to n messages of the conversation with peer, newest
// first, older than the message beforeID
// ("" starts from the newest). Pass the last ID of a page to get the next.
func (c *Client) History(ctx context.Context, peer identity.ID, beforeID string, n int) ([]ChatMessage, error) {
	m := c.box()
	st, base := m.store.get()
	if st == nil {
		return nil, ErrClosed
	}
	var before int64
	if beforeID != "" {
		var row int64
		var err error
		if st, row, err = m.store.row(beforeID); err != nil {
			return nil, err
		}
		before = row
	}
	msgs, err := st.History(ctx, peer, before, n)
	return chatMessages(msgs, base), err
}

// HistoryAfter returns up to n messages of the conversation with peer
// newer than afterID, oldest first (see history.Store.HistoryAfter).
func (c *Client) HistoryAfter(ctx context.Context, peer identity.ID, afterID string, n int) ([]ChatMessage, error) {
	st, row, err := c.box().store.row(afterID)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(afterID, 10, 64) // row parsed it already
	base := id - row
	msgs, err := st.HistoryAfter(ctx, peer, row, n)
	return chatMessages(msgs, base), err
}

// Search returns up to n messages of any conversation, newest first, that
// contain every word of text (the last word also as a prefix).
func (c *Client) Search(ctx context.Context, text string, n int) ([]ChatMessage, error) {
	st, base := c.box().store.get()
	if st == nil {
		return nil, ErrClosed
	}
	msgs, err := st.Search(ctx, text, identity.ID{}, n)
	return chatMessages(msgs, base), err
}

// SearchConversation is Search within the conversation with peer; the
// chat window searches one conversation.
func (c *Client) SearchConversation(ctx context.Context, peer identity.ID, text string, n int) ([]ChatMessage, error) {
	if peer.IsZero() {
		return nil, fmt.Errorf("%w: search needs a peer", history.ErrInvalid)
	}
	st, base := c.box().store.get()
	if st == nil {
		return nil, ErrClosed
	}
	msgs, err := st.Search(ctx, text, peer, n)
	return chatMessages(msgs, base), err
}

func chatMessages(msgs []history.Message, base int64) []ChatMessage {
	out := make([]ChatMessage, 0, len(msgs))
	for _, m := range msgs {
		cm := ChatMessage{ID: strconv.FormatInt(base+m.ID, 10), Peer: m.Peer, PeerURI: m.PeerURI,
			Direction: string(m.Direction), Text: m.Text, At: m.At, State: string(m.State),
			Code: m.Code, Reason: m.Reason}
		if m.State == history.StateFailed {
			cm.RetryAt = m.NextAttempt
		}
		out = append(out, cm)
	}
	return out
}

// Export writes the whole conversation with peer as plain text, one line
// per message with its time and direction, to w.
func (c *Client) Export(ctx context.Context, peer identity.ID, w io.Writer) error {
	st, _ := c.box().store.get()
	if st == nil {
		return ErrClosed
	}
	return st.Export(ctx, peer, w)
}
