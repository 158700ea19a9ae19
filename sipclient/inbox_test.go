package sipclient

import (
	"context"
	"errors"
	"fmt"
	"github.com/parley-im/parley/sipclient/identity"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/history"
)

// wantHistory checks c's conversation with peer, newest first, each
// message as "direction state text".
func wantHistory(t testing.TB, c *Client, peer string, want ...string) []ChatMessage {
	t.Helper()
	h, err := c.History(context.Background(), pid(peer), 0, 100)
	if err != nil {
		t.Fatalf("History(%s): %v", peer, err)
	}
	var got []string
	for _, m := range h {
		got = append(got, string(m.Direction)+" "+string(m.State)+" "+m.Text)
	}
	if !slices.Equal(got, want) {
		t.Errorf("history with %s:\n got %q\nwant %q", peer, got, want)
	}
	return h
}

// openStore opens a history file in a fresh directory, closed at cleanup.
func openStore(t testing.TB, opts ...history.Option) (*history.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := history.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// rawMessage is a MESSAGE as a peer writes it by hand, with fixed Call-ID,
// From tag, CSeq and Via branch so that it can be sent again unchanged.
func rawMessage(target, callID, tag, branch string, cseq int, text string) []byte {
	return fmt.Appendf(nil, "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/TCP peer.example:5099;branch=z9hG4bK%s\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:peer@peer.example>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\n"+
		"CSeq: %d MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		target, branch, tag, target, callID, cseq, len(text), text)
}

func isMessage(text string) func(Event) bool {
	return func(e Event) bool { m, ok := e.(MessageReceived); return ok && m.Text == text }
}

func anyMessage(e Event) bool { _, ok := e.(MessageReceived); return ok }

// The 200 goes out only once the message is in the file: another
// connection to the database sees it as soon as the peer has its answer.
func TestIncomingStoredBeforeAnswer(t *testing.T) {
	store, path := openStore(t)
	c, rec := newTestClient(t, "sink", "tcp", WithStore(store))
	rc := dialRaw(t, tcpAddr(c))
	other, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i := range 5 {
		text := fmt.Sprintf("durable %d", i)
		res := rc.exchange(rawMessage(c.AOR(), fmt.Sprintf("call-%d", i), "t1", sip.GenerateTagN(8), 1, text))
		if res.StatusCode != 200 {
			t.Fatalf("MESSAGE %d answered %d", i, res.StatusCode)
		}
		h, err := other.History(context.Background(), pid("sip:peer@peer.example"), 0, 1)
		if err != nil || len(h) != 1 || h[0].Text != text || h[0].Direction != history.In {
			t.Fatalf("after the 200 of %q the file holds %+v (%v)", text, h, err)
		}
	}
	rec.wait(t, "last message", isMessage("durable 4"))
}

// Replays (same Call-ID, From tag and CSeq, new branch) are answered 200
// but stored and announced once; the same Call-ID with the next CSeq is a
// new message. (The same bytes again reaching the handler is
// TestPagerRetransmissionStoredOnce.)
func TestDuplicateMessageStoredOnce(t *testing.T) {
	store, _ := openStore(t)
	c, rec := newTestClient(t, "sink", "tcp", WithStore(store))
	rc := dialRaw(t, tcpAddr(c))
	first := rawMessage(c.AOR(), "dup-call", "dup-tag", "b1", 1, "only once")
	// The copies differ in branch: over TCP a copy with the first's branch
	// is sipgo's transaction layer's to absorb (a reliable transport never
	// retransmits, and under load it swallowed the copy unanswered while
	// the first was still being stored); what Parley must do is store and
	// announce a request with the same Call-ID, From tag and CSeq once.
	for i, req := range [][]byte{first, rawMessage(c.AOR(), "dup-call", "dup-tag", "b2", 1, "only once"),
		rawMessage(c.AOR(), "dup-call", "dup-tag", "b2b", 1, "only once")} {
		if res := rc.exchange(req); res.StatusCode != 200 {
			t.Fatalf("copy %d answered %d", i, res.StatusCode)
		}
	}
	if res := rc.exchange(rawMessage(c.AOR(), "dup-call", "dup-tag", "b3", 2, "next one")); res.StatusCode != 200 {
		t.Fatalf("CSeq 2 answered %d", res.StatusCode)
	}
	rec.wait(t, "next message", isMessage("next one"))
	if n := rec.count(isMessage("only once")); n != 1 {
		t.Errorf("the message was announced %d times, want 1", n)
	}
	wantHistory(t, c, "sip:peer@peer.example", "in received next one", "in received only once")
}

// A history that can no longer be written (here: opened read-only, as on
// a read-only or full disk) does not lose messages: the core says so once
// and keeps them in memory, and receiving and sending go on.
func TestStoreUnavailableKeepsMessages(t *testing.T) {
	_, path := openStore(t) // creates the file with its schema
	ro, err := history.Open(context.Background(), path, history.WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	c, rec := newTestClient(t, "sink", "tcp", WithStore(ro))
	peer, rp := newTestClient(t, "peer", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	for i, text := range []string{"first", "second"} {
		res := rc.exchange(rawMessage(c.AOR(), fmt.Sprintf("ro-%d", i), "t", sip.GenerateTagN(8), 1, text))
		if res.StatusCode != 200 {
			t.Fatalf("MESSAGE %q answered %d", text, res.StatusCode)
		}
		rec.wait(t, text, isMessage(text))
	}
	diag := rec.wait(t, "history diagnostic", func(e Event) bool { d, ok := e.(Diagnostic); return ok && d.What == "history" }).(Diagnostic)
	if !strings.HasPrefix(diag.Detail, "history is unavailable: ") || !strings.HasSuffix(diag.Detail, "; messages are kept in memory for this session") {
		t.Errorf("diagnostic %q", diag.Detail)
	}
	wantHistory(t, c, "sip:peer@peer.example", "in received second", "in received first")
	id, err := c.SendMessage(context.Background(), peer.AOR()+";transport=tcp", "still sending")
	if err != nil {
		t.Fatal(err)
	}
	rp.wait(t, "message at the peer", isMessage("still sending"))
	rec.wait(t, "sent", func(e Event) bool { s, ok := e.(MessageStatus); return ok && s.ID == id && s.Status == MsgSent })
	if n := rec.count(func(e Event) bool { d, ok := e.(Diagnostic); return ok && d.What == "history" }); n != 1 {
		t.Errorf("%d history diagnostics, want 1", n)
	}
	if h, _ := ro.History(context.Background(), pid("sip:peer@peer.example"), 0, 10); len(h) != 0 {
		t.Errorf("the read-only file was written: %+v", h)
	}
}

func TestSearchAndPaging(t *testing.T) {
	c, rec := newTestClient(t, "sink", "tcp")
	rc := dialRaw(t, tcpAddr(c))
	for i := range 5 {
		text := fmt.Sprintf("note %d about zebras", i)
		if i%2 == 1 {
			text = fmt.Sprintf("note %d about lions", i)
		}
		rc.exchange(rawMessage(c.AOR(), fmt.Sprintf("s-%d", i), "t", sip.GenerateTagN(8), 1, text))
	}
	rec.wait(t, "last", isMessage("note 4 about zebras"))
	ctx := context.Background()
	found, err := c.Search(ctx, "zeb", 10)
	if err != nil || len(found) != 3 || found[0].Text != "note 4 about zebras" || found[2].Text != "note 0 about zebras" {
		t.Errorf("Search(zeb) = %+v, %v", found, err)
	}
	page1, _ := c.History(ctx, pid("sip:peer@peer.example"), 0, 2)
	page2, _ := c.History(ctx, pid("sip:peer@peer.example"), page1[1].ID, 10)
	if len(page1) != 2 || len(page2) != 3 || page2[0].Text != "note 2 about zebras" {
		t.Errorf("pages %+v / %+v", page1, page2)
	}
	if _, err := c.History(ctx, pid("sip:peer@peer.example"), -1, 2); err == nil {
		t.Error("History with a bad ID succeeded")
	}
}

// Two identities sharing a store that fails go on in one shared in-memory
// store: their message IDs stay distinct and each sees both histories.
func TestSharedFallbackStore(t *testing.T) {
	_, path := openStore(t)
	ro, err := history.Open(context.Background(), path, history.WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	mem, err := history.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	shared := WithFallbackStore(func(context.Context) (*history.Store, error) { return mem, nil })
	var ids []MessageID
	var clients []*Client
	for i, user := range []string{"one", "two"} {
		c, rec := newTestClient(t, user, "tcp", WithStore(ro), shared)
		res := dialRaw(t, tcpAddr(c)).exchange(rawMessage(c.AOR(), fmt.Sprint("fb-", i), "t", sip.GenerateTagN(8), 1, "to "+user))
		if res.StatusCode != 200 {
			t.Fatalf("MESSAGE to %s answered %d", user, res.StatusCode)
		}
		ids = append(ids, rec.wait(t, "message", isMessage("to "+user)).(MessageReceived).ID)
		clients = append(clients, c)
	}
	if ids[0] == ids[1] {
		t.Errorf("both identities gave ID %s", ids[0])
	}
	wantHistory(t, clients[0], "sip:peer@peer.example", "in received to two", "in received to one")
}

// HistoryAfter pages forward from a message, in the IDs History hands out.
func TestHistoryAfter(t *testing.T) {
	c, _ := newTestClient(t, "a", "tcp")
	ctx := context.Background()
	var ids []MessageID
	for _, text := range []string{"one", "two", "three"} {
		id, err := c.QueueMessage(ctx, "sip:bob@127.0.0.1:9", text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	got, err := c.HistoryAfter(ctx, pid("sip:bob@127.0.0.1:9"), ids[0], 10)
	if err != nil || len(got) != 2 || got[0].ID != ids[1] || got[0].Text != "two" || got[1].Text != "three" {
		t.Errorf("HistoryAfter = %+v, %v", got, err)
	}
	if _, err := c.HistoryAfter(ctx, pid("sip:bob@127.0.0.1:9"), 0, 10); !errors.Is(err, history.ErrInvalid) {
		t.Errorf("HistoryAfter(bad ID) = %v, want ErrInvalid", err)
	}
}

// A blocked sender's message is answered 200 (they cannot tell) but
// neither stored nor announced; anyone else's is both.
func TestBlockedSenderDropped(t *testing.T) {
	blocked := func(who identity.ID) bool { return who.User() == "mallory" }
	sink, rec := newTestClient(t, "sink", "tcp", WithBook(funcBook{blocked: blocked}))
	mallory, err := New(Config{ListenAddr: "127.0.0.1:0", User: "mallory", Transport: "tcp"}, WithRequestTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer mallory.Close()
	friend, _ := newTestClient(t, "friend", "tcp")
	ctx := context.Background()
	d, err := mallory.DeliverMessage(ctx, sink.AOR()+";transport=tcp", "let me in")
	if err != nil || d.Status != MsgSent || d.Code != 200 {
		t.Fatalf("blocked sender's delivery: %+v %v, want sent 200", d, err)
	}
	if _, err := friend.DeliverMessage(ctx, sink.AOR()+";transport=tcp", "hello"); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "the friend's message", isMessage("hello"))
	if rec.count(isMessage("let me in")) != 0 {
		t.Error("the blocked sender's message was announced")
	}
	if found, err := sink.Search(ctx, "let", 10); err != nil || len(found) != 0 {
		t.Errorf("the blocked sender's message was stored: %+v %v", found, err)
	}
}
