package history

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

func TestExport(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	at := time.Date(2025, 3, 1, 9, 30, 5, 0, time.Local)
	m := incoming(`"Bob" <sip:bob@example.test>`, "hello", "c1", 1)
	m.At = at
	if _, _, err := s.AddIncoming(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddOutgoing(ctx, Message{PeerURI: bob, At: at.Add(2 * time.Second),
		Text: "hi Bob,\r\nsecond line\nthird"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddOutgoing(ctx, Message{PeerURI: alice, At: at, Text: "not bob"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := s.Export(ctx, pid("sips:bob@EXAMPLE.test"), &b); err != nil {
		t.Fatal(err)
	}
	want := "2025-03-01 09:30:05 from sip:bob@example.test: hello\n" +
		"2025-03-01 09:30:07 to sip:bob@example.test: hi Bob,\n" +
		"    second line\n" +
		"    third\n"
	if b.String() != want {
		t.Errorf("Export =\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := s.Export(ctx, identity.ID{}, &b); err != nil || strings.Count(b.String(), "\n") != 5 {
		t.Errorf("Export(all) = %q, %v", b.String(), err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk gone") }

func TestExportWriteError(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, err := s.AddOutgoing(ctx, Message{PeerURI: bob, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Export(ctx, pid(bob), failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("Export to failing writer = %v", err)
	}
}
