package ui

import (
	"time"

	"github.com/parley-im/parley/sipclient"
)

// missedCallMessage is a missed call as the message it is stored as in
// the history: it then takes the way a message takes, into the caller's
// chat or, from a stranger, into the message requests.
func missedCallMessage(ev sipclient.MissedCall) sipclient.MessageReceived {
	return sipclient.MessageReceived{ID: ev.ID, Peer: ev.Peer, From: ev.From, FromName: ev.FromName,
		At: ev.At, ContentType: sipclient.ContentTypeMissedCall}
}

// missedCallText words a missed call for the chat and the notification.
func missedCallText(name string, at time.Time) string {
	return "Missed call from " + name + ", " + clock(at)
}
