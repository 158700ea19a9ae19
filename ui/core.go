package ui

import (
	"context"

	"github.com/parley-im/parley/sipclient"
)

// Core is what the UI needs from the SIP core. Every method returns at
// once: the I/O happens in the core's own goroutines and its outcome
// arrives as events. *sipclient.Client implements it.
type Core interface {
	Events() <-chan sipclient.Event
	AOR() string
	Subscribe(ctx context.Context, uri string) error
	Unsubscribe(ctx context.Context, uri string) error
	SendMessage(ctx context.Context, uri, text string) (string, error)
	SetPresence(ctx context.Context, p sipclient.Presence) error
	AuthorizeWatcher(uri string, d sipclient.Decision) error
}

var _ Core = (*sipclient.Client)(nil)
