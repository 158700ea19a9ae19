package ui

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// A contact whose phone writes their address another way is still the
// contact, through the real core and the real contact book: their messages
// open their chat (not message requests) and are not rate-limited like a
// stranger's.
func TestContactAnySpellingThroughTheCore(t *testing.T) {
	fa := test.NewTempApp(t)
	book, err := account.OpenBook(t.TempDir(), sipclient.Ask)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book.Add(account.Contact{URI: "sip:bob@example.test", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	core, err := sipclient.New(sipclient.Config{User: "alice", Transport: "tcp"},
		sipclient.WithBook(book), account.StrangerLimit(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close() })
	a := New(fa, core, book, Options{})
	a.bg = func(f func()) { f() } // deterministic: background work inline
	a.win.Resize(fyne.NewSize(400, 600))
	a.win.Show()
	// Not Start (it would watch example.test) and not the pump: the test
	// driver runs fyne.Do on the caller's goroutine, so events are applied
	// here, on the test's one goroutine.

	conn, err := net.Dial("tcp", strings.TrimPrefix(core.ListenAddrs()[1], "tcp:"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	aor := core.AOR()
	for i := range 4 { // twice what a stranger may send
		fmt.Fprintf(conn, "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-b%d\r\n"+
			"From: \"Bob\" <sip:bob@EXAMPLE.test:5060;transport=tcp>;tag=b%d\r\nTo: <%s>\r\nCall-ID: bob-%d\r\n"+
			"CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello%d",
			aor, i, i, aor, i, i)
	}
	var conv *conversation
	deadline := time.After(10 * time.Second)
	for conv == nil || len(conv.lines) < 4 {
		select {
		case ev := <-core.Events():
			a.applyBatch([]sipclient.Event{ev})
			conv = a.chats.convs[pid("sip:bob@example.test")]
		case <-deadline:
			t.Fatalf("bob's chat after 10 s: %v", conv != nil)
		}
	}
	if len(conv.lines) != 4 {
		t.Errorf("bob's chat holds %d lines, want 4", len(conv.lines))
	}
	if a.reqBtn.Visible() {
		t.Errorf("bob's messages went to message requests: %q", a.reqBtn.Text)
	}
	if !hasText(a.chats.win, "hello3") {
		t.Errorf("the last message is not shown")
	}
}
