package sipclient

import (
	"fmt"
	"strconv"

	"github.com/parley-im/parley/sipclient/history"
)

// MessageID names one message of the chat history: SendMessage returns
// it, ChatMessage, MessageReceived and MessageStatus carry it, History
// pages by it. Zero names no message. It is the row of the history store
// plus that store's base, so IDs handed out after a fallback to memory
// never equal earlier ones (inbox_store.go). IDs grow with time.
type MessageID int64

// String is the ID in decimal, as ParseMessageID reads it.
func (id MessageID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseMessageID reads an ID as String writes it, e.g. typed by a user.
// Anything else, zero included, is history.ErrInvalid.
func ParseMessageID(s string) (MessageID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: message ID %q", history.ErrInvalid, s)
	}
	return MessageID(n), nil
}
