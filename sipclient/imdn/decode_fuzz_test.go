package imdn

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// FuzzDecode checks that Decode never panics, fails only with its own
// classes, and that what it accepts survives Encode and Decode (once
// given the datetime Encode insists on and a status its kind allows).
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "*.xml")
	f.Add([]byte(`<imdn><message-id>a</message-id><display-notification><status>error</status></display-notification></imdn>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotIMDN) &&
				!errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if n.DateTime.IsZero() {
			n.DateTime = time.Unix(0, 0).UTC()
		}
		out, err := Encode(n)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("unclassified Encode error: %v", err)
			}
			return // a status its kind does not allow, or a blank message-id
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode of our own output: %v\n%s", err, out)
		}
		if !sameNotification(again, n) {
			t.Fatalf("round trip changed it:\nfirst  %+v\nsecond %+v\n%s", n, again, out)
		}
	})
}
