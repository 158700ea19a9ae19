package sipclient

import (
	"errors"
	"testing"

	"github.com/parley-im/parley/sipclient/history"
)

// An ID reads back as it is written; anything else is ErrInvalid.
func TestParseMessageID(t *testing.T) {
	for _, id := range []MessageID{1, 42, fallbackIDBase + 3} {
		if got, err := ParseMessageID(id.String()); err != nil || got != id {
			t.Errorf("ParseMessageID(%q) = %v, %v; want %d", id.String(), got, err, id)
		}
	}
	for _, s := range []string{"", "x", "0", "-3", "1.5", " 7", "99999999999999999999"} {
		if _, err := ParseMessageID(s); !errors.Is(err, history.ErrInvalid) {
			t.Errorf("ParseMessageID(%q) = %v, want ErrInvalid", s, err)
		}
	}
}
