package ui

import (
	"context"
	"io"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// Core is what the UI needs from the SIP core. *sipclient.Client
// implements it. Methods that touch the network or the history database
// (SendMessage, RetryMessage, DeleteMessage, History, HistoryAfter, Search, SearchConversation,
// Export, Unsubscribe) are called off the Fyne thread, through App.bg.
type Core interface {
	Events() <-chan sipclient.Event
	AOR() string
	Subscribe(ctx context.Context, uri string) error
	Unsubscribe(ctx context.Context, who identity.ID) error
	SendMessage(ctx context.Context, uri, text string) (sipclient.MessageID, error)
	SetPresence(ctx context.Context, p sipclient.Presence) error
	// Presence is the user's own status and note, as restored at start.
	Presence() sipclient.Presence
	AuthorizeWatcher(who identity.ID, d sipclient.Decision) error
	// EndWatcher ends who's subscriptions to the user's presence now.
	EndWatcher(who identity.ID) error
	RetryMessage(ctx context.Context, id sipclient.MessageID) error
	DeleteMessage(ctx context.Context, id sipclient.MessageID) error
	History(ctx context.Context, peer identity.ID, beforeID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error)
	HistoryAfter(ctx context.Context, peer identity.ID, afterID sipclient.MessageID, n int) ([]sipclient.ChatMessage, error)
	Search(ctx context.Context, text string, n int) ([]sipclient.ChatMessage, error)
	SearchConversation(ctx context.Context, peer identity.ID, text string, n int) ([]sipclient.ChatMessage, error)
	Export(ctx context.Context, peer identity.ID, w io.Writer) error
	SetTyping(ctx context.Context, uri string, active bool) error
	MarkRead(ctx context.Context, peer identity.ID) error
	SetIMPrefs(p sipclient.IMPrefs)
}

var _ Core = (*sipclient.Client)(nil)
