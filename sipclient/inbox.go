package sipclient

import (
	"context"
	"io"
	"time"

	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// ChatMessage is one message of the chat history as the UI shows it.
type ChatMessage struct {
	ID        MessageID         // as SendMessage returned it and MessageStatus carries it
	Peer      identity.ID       // who the conversation is with
	PeerURI   string            // the peer's address as seen on the wire
	Direction history.Direction // history.In (received) or history.Out (sent by the user)
	Text      string
	At        time.Time // when it was received, or written by the user
	// State is history.StateReceived for incoming messages; outgoing
	// ones are pending, sent, stored (202) or failed.
	State   history.State
	Code    int       // last SIP status of an outgoing message
	Reason  string    // why it failed
	RetryAt time.Time // when a failed message is sent again by itself
	ReadAt  time.Time // when the peer's display notification came; zero if none
	// ContentType is text/plain, or ContentTypeMissedCall for a call
	// Parley could not take (Text is then empty: the UI words it).
	ContentType string
}

// keepIncoming stores a received message before it is acknowledged; dup
// reports a retransmission, a replay or a resend (same imdn.Message-ID)
// of one stored before. If the history
// fails as storage, the message goes to memory instead (see chatStore).
// The returned id is the message's history ID.
func (p *pager) keepIncoming(ev *MessageReceived, in *inbound) (id MessageID, dup bool, err error) {
	p.start()
	if !p.enter() {
		return 0, false, ErrClosed
	}
	defer p.work.Done()
	// On the heap, not in this frame: a request goroutine's stack stays
	// within the runtime's 4 KiB start (see Client.unsent).
	msg := &history.Message{Peer: ev.Peer, PeerURI: ev.From, At: ev.At, Text: ev.Text, ContentType: ev.ContentType,
		CallID: ev.CallID, FromTag: ev.FromTag, CSeq: ev.CSeq,
		IMDNID: in.imdnID, CPIM: in.wrap != nil, SentAt: ev.SentAt, Notify: in.notify}
	err = p.storeDo(true, func(st *history.Store, base int64) (err error) {
		var n int64
		n, dup, err = st.AddIncomingFrom(context.Background(), msg)
		id = MessageID(base + n)
		return err
	})
	return id, dup, err
}

// current is the store to read, started if need be, with its ID base.
func (p *pager) current() (*history.Store, int64, error) {
	p.start()
	st, base := p.store.get()
	if st == nil {
		return nil, 0, ErrClosed
	}
	return st, base, nil
}

// history returns up to n messages with peer older than beforeID
// (zero: from the newest), newest first.
func (p *pager) history(ctx context.Context, peer identity.ID, beforeID MessageID, n int) ([]ChatMessage, error) {
	st, base, err := p.current()
	if err != nil {
		return nil, err
	}
	var before int64
	if beforeID != 0 {
		if st, before, err = p.store.row(beforeID); err != nil {
			return nil, err
		}
	}
	msgs, err := st.History(ctx, peer, before, n)
	return chatMessages(msgs, base), err
}

// historyAfter returns up to n messages with peer newer than afterID,
// oldest first.
func (p *pager) historyAfter(ctx context.Context, peer identity.ID, afterID MessageID, n int) ([]ChatMessage, error) {
	p.start()
	st, row, err := p.store.row(afterID)
	if err != nil {
		return nil, err
	}
	base := int64(afterID) - row
	msgs, err := st.HistoryAfter(ctx, peer, row, n)
	return chatMessages(msgs, base), err
}

// search returns up to n messages with peer (zero: with anyone) that
// contain every word of text, newest first.
func (p *pager) search(ctx context.Context, text string, peer identity.ID, n int) ([]ChatMessage, error) {
	st, base, err := p.current()
	if err != nil {
		return nil, err
	}
	msgs, err := st.Search(ctx, text, peer, n)
	return chatMessages(msgs, base), err
}

func chatMessages(msgs []history.Message, base int64) []ChatMessage {
	out := make([]ChatMessage, 0, len(msgs))
	for _, m := range msgs {
		cm := ChatMessage{ID: MessageID(base + m.ID), Peer: m.Peer, PeerURI: m.PeerURI,
			Direction: m.Direction, Text: m.Text, At: m.At, State: m.State,
			Code: m.Code, Reason: m.Reason, ReadAt: m.ReadAt, ContentType: m.ContentType}
		if m.State == history.StateFailed {
			cm.RetryAt = m.NextAttempt
		}
		out = append(out, cm)
	}
	return out
}

// export writes the whole conversation with peer as plain text to w.
func (p *pager) export(ctx context.Context, peer identity.ID, w io.Writer) error {
	st, _, err := p.current()
	if err != nil {
		return err
	}
	return st.Export(ctx, peer, w)
}
