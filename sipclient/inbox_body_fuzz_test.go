package sipclient

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzDecodeBody feeds the pager's incoming-body path (content coding,
// CPIM, is-composing, IMDN) whatever body, type and coding: it never
// panics, and a text it takes is within the limit.
func FuzzDecodeBody(f *testing.F) {
	for _, g := range []struct{ codec, name, ct string }{
		{"cpim", "rfc5438-disposition-request.cpim", "message/cpim"},
		{"cpim", "linphone-message.cpim", "message/cpim"},
		{"imdn", "linphone-delivered.xml", "message/imdn+xml"},
		{"iscomposing", "rfc3994-active.xml", "application/im-iscomposing+xml"},
	} {
		body := golden(f, g.codec, g.name)
		f.Add(body, g.ct, "")
		f.Add(deflate(f, body), g.ct, "deflate")
	}
	f.Add([]byte("hello"), "text/plain", "gzip, identity")
	const limit = 2048
	f.Fuzz(func(t *testing.T, body []byte, ct, coding string) {
		req := sip.NewRequest(sip.MESSAGE, sip.Uri{Scheme: "sip", User: "a", Host: "b"})
		h := sip.ContentTypeHeader(ct)
		req.AppendHeader(&h)
		if coding != "" {
			req.AppendHeader(sip.NewHeader("Content-Encoding", coding))
		}
		req.SetBody(body)
		in, rf := decodeBody(req, limit)
		if rf == nil && in.kind == bodyText && len(in.text) > limit*3 {
			t.Fatalf("took a text of %d bytes", len(in.text))
		}
		if rf != nil && (rf.code < 400 || rf.code > 499) {
			t.Fatalf("refusal %d", rf.code)
		}
	})
}
