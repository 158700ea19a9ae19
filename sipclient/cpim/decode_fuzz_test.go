package cpim

import (
	"errors"
	"reflect"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// FuzzDecode checks that Decode never panics and fails only with its own
// classes, and that a decoded message which Encode accepts (once given
// the From, To and Content-Type it insists on) decodes back the same.
func FuzzDecode(f *testing.F) {
	golden.Seed(f, "*.cpim",
		"Subject:;lang=\"a\\\"b\";x=y v\n \tfolded\n\nContent-Length: 1\n\nxy",
		"NS: p <u>\r\np.q.r: s\r\n\r\nContent-Type: a/b\r\n\r\n",
		"\n\n\nA: b\n\n",
	)
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		m.From()
		m.To()
		m.DateTime()
		m.Subject("en")
		m.Require()
		complete(m)
		out, err := Encode(m)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("unclassified Encode error: %v", err)
			}
			return
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode of our own output: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(withoutLength(again), withoutLength(m)) {
			t.Fatalf("round trip changed the message:\nfirst  %#v\nsecond %#v", m, again)
		}
	})
}

// complete adds what Encode requires and a decoded message may lack.
func complete(m *Message) {
	if _, ok := m.Get(NamespaceCore, "From"); !ok {
		m.Headers = append(m.Headers, Header{Name: "From", Value: "<sip:fuzz@example.com>"})
	}
	if _, ok := m.Get(NamespaceCore, "To"); !ok {
		m.Headers = append(m.Headers, Header{Name: "To", Value: "<sip:fuzz@example.com>"})
	}
	if m.ContentType() == "" {
		m.Content = append(m.Content, Field{Name: "Content-Type", Value: "text/plain"})
	}
}
