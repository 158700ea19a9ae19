package account

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// SendMessage sends text through the identity that routes uri; the
// returned ID is the message's ID in the shared history.
func (m *Manager) SendMessage(ctx context.Context, uri, text string) (sipclient.MessageID, error) {
	c, err := m.routeClient(uri)
	if err == nil {
		return c.SendMessage(ctx, uri, text)
	}
	if !errors.Is(err, ErrNotSignedIn) {
		return 0, err
	}
	// Kept in the shared outbox: the account's client sends it once it
	// signs in (also after a restart), and the user sees why it waits.
	id, qerr := m.direct.QueueMessage(ctx, uri, text)
	if qerr != nil {
		return 0, errors.Join(err, qerr)
	}
	m.events.push(sipclient.MessageStatus{ID: id, To: uri, Status: sipclient.MsgFailed,
		Reason: err.Error() + "; it will be sent when the account signs in"})
	return id, nil
}

// RetryMessage sends a failed message again through the identity that
// routes its peer now. The peer is read from the shared store by the
// message's ID. Whichever client marks the message due, only the one
// whose outbox share claims the peer sends it; asking that one also wakes
// its outbox at once.
func (m *Manager) RetryMessage(ctx context.Context, id sipclient.MessageID) error {
	c, err := m.messageOwner(ctx, id)
	if err != nil {
		return err
	}
	return c.RetryMessage(ctx, id)
}

// DeleteMessage removes a message from the shared history, and from the
// outbox when it was waiting there (through the direct client, like the
// reads: whichever identity would send it finds it gone).
func (m *Manager) DeleteMessage(ctx context.Context, id sipclient.MessageID) error {
	return m.direct.DeleteMessage(ctx, id)
}

// messageOwner is the client that sends the stored message id: the one
// its peer routes to.
func (m *Manager) messageOwner(ctx context.Context, id sipclient.MessageID) (*sipclient.Client, error) {
	if id <= 0 {
		return nil, fmt.Errorf("%w: message ID %s", history.ErrInvalid, id)
	}
	msg, err := m.store.Get(ctx, int64(id))
	if err != nil {
		return nil, err
	}
	return m.routeClient(msg.PeerURI)
}

// SetPresence sets the user's status on every identity, and saves it
// when the manager keeps preferences. The user's choice ends an
// automatic Away (away.go).
func (m *Manager) SetPresence(ctx context.Context, p sipclient.Presence) error {
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	m.mu.Lock()
	m.presence = p
	m.auto = false
	m.mu.Unlock()
	var serr error
	if m.cfg.Prefs != nil {
		serr = m.cfg.Prefs.SetPresence(p)
	}
	return errors.Join(serr, m.each(func(c *sipclient.Client) error { return c.SetPresence(ctx, p) }))
}

// Presence is the user's status and note as last set (or restored).
func (m *Manager) Presence() sipclient.Presence {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.presence
}

// AuthorizeWatcher applies the user's answer about a watcher on every
// identity, whichever one it asked (the contact book remembers it).
func (m *Manager) AuthorizeWatcher(who identity.ID, d sipclient.Decision) error {
	return m.each(func(c *sipclient.Client) error { return c.AuthorizeWatcher(who, d) })
}

// EndWatcher ends who's subscriptions to the user's presence on every
// identity (the user revoked their permission).
func (m *Manager) EndWatcher(who identity.ID) error {
	return m.each(func(c *sipclient.Client) error { return c.EndWatcher(who) })
}

// each calls f on every running client. A client closed meanwhile (an
// account being restarted) is not an error; the direct one is.
func (m *Manager) each(f func(*sipclient.Client) error) error {
	errs := []error{f(m.direct)}
	for _, c := range m.accountClients() {
		if err := f(c); !errors.Is(err, sipclient.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) accountClients() []*sipclient.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*sipclient.Client, 0, len(m.clients))
	for _, r := range m.clients {
		out = append(out, r.c)
	}
	return out
}

// HistoryAfter reads the shared history forward (through the direct client).
func (m *Manager) HistoryAfter(ctx context.Context, peer identity.ID, afterID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error) {
	return m.direct.HistoryAfter(ctx, peer, afterID, n)
}

// History reads the shared history (through the direct client).
func (m *Manager) History(ctx context.Context, peer identity.ID, beforeID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error) {
	return m.direct.History(ctx, peer, beforeID, n)
}

// Search searches the shared history.
func (m *Manager) Search(ctx context.Context, text string, n int) ([]sipclient.ChatMessage, error) {
	return m.direct.Search(ctx, text, n)
}

// SearchConversation searches one conversation of the shared history.
func (m *Manager) SearchConversation(ctx context.Context, peer identity.ID, text string, n int) ([]sipclient.ChatMessage, error) {
	return m.direct.SearchConversation(ctx, peer, text, n)
}

// Export writes one conversation of the shared history to w.
func (m *Manager) Export(ctx context.Context, peer identity.ID, w io.Writer) error {
	return m.direct.Export(ctx, peer, w)
}

// SetTyping tells the peer at uri, through the identity that routes it,
// that the user is or stopped composing (see sipclient.Client.SetTyping).
func (m *Manager) SetTyping(ctx context.Context, uri string, active bool) error {
	c, err := m.routeClient(uri)
	if err != nil {
		return nil // not signed in: nobody to tell, and typing never fails
	}
	return c.SetTyping(ctx, uri, active)
}

// MarkRead sends the display notifications of peer's conversation through
// every identity: the messages may have come through any of them.
func (m *Manager) MarkRead(ctx context.Context, peer identity.ID) error {
	return m.each(func(c *sipclient.Client) error { return c.MarkRead(ctx, peer) })
}

// SetIMPrefs sets the user's IM choices on every identity, also on those
// that start later.
func (m *Manager) SetIMPrefs(p sipclient.IMPrefs) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.imPrefs = &p
	// Under the lock, so a client starting now gets these or later ones
	// (startAccount applies m.imPrefs under it too).
	m.direct.SetIMPrefs(p)
	for _, r := range m.clients {
		r.c.SetIMPrefs(p)
	}
}
