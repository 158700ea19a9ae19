package sipclient

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/cpim"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/imdn"
	"github.com/parley-im/parley/sipclient/iscomposing"
)

// Golden wire tests of the IM dialect: bodies from the RFC examples and
// the codecs' goldens (Linphone's among them), raw SIP over 127.0.0.1,
// assertions on what goes on the wire, on the events and on disk.

// RFC 3994's active then idle: 200 each, typing shows then clears, and
// nothing is stored. A message after an active clears it first.
func TestWireTypingIn(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	for _, name := range []string{"rfc3994-active.xml", "rfc3994-idle.xml", "linphone-active.xml"} {
		if res := peer.send("ic-"+name, iscomposing.ContentType, golden(t, "iscomposing", name)); res.StatusCode != 200 {
			t.Fatalf("%s answered %d", name, res.StatusCode)
		}
		rec.wait(t, name, isTyping(strings.Contains(name, "active")))
	}
	if res := peer.send("text-1", "text/plain", []byte("done typing")); res.StatusCode != 200 {
		t.Fatalf("text answered %d", res.StatusCode)
	}
	rec.wait(t, "message", isMessage("done typing"))
	rec.mu.Lock()
	var order []string
	for _, e := range rec.events {
		switch e := e.(type) {
		case TypingChanged:
			order = append(order, map[bool]string{true: "active", false: "idle"}[e.Active])
		case MessageReceived:
			order = append(order, "message")
		}
	}
	rec.mu.Unlock()
	if strings.Join(order, " ") != "active idle active idle message" {
		t.Fatalf("events %v", order)
	}
	msgs, _ := c.History(context.Background(), peer.id(), 0, 10)
	if len(msgs) != 1 || msgs[0].Text != "done typing" {
		t.Fatalf("history holds %+v, want the text only", msgs)
	}
}

// An active state lasts the refresh the peer gave, then clears by itself.
func TestWireTypingTimesOut(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	short := bytes.Replace(golden(t, "iscomposing", "linphone-active.xml"), []byte("<refresh>60<"), []byte("<refresh>1<"), 1)
	peer.send("short", iscomposing.ContentType, short)
	rec.wait(t, "typing", isTyping(true))
	rec.wait(t, "typing over", isTyping(false))
}

// Parley tells a peer that showed it takes them: active with a refresh,
// nothing more while the user types on, idle when told; a sent message
// counts as idle at the peer, so no idle follows it; typing again is
// active again.
func TestWireTypingOut(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	ctx := context.Background()
	// Not shown yet: nothing goes out; the text is the first request.
	c.SetTyping(ctx, peer.aor, true)
	c.SendMessage(ctx, peer.aor, "first")
	if req := peer.next(200); mediaType(req) != "text/plain" || string(req.Body()) != "first" {
		t.Fatalf("first request:\n%s", req)
	}
	peer.send("shows", iscomposing.ContentType, golden(t, "iscomposing", "linphone-active.xml"))
	rec.wait(t, "peer typing", isTyping(true)) // announced once its capability is noted

	c.SetTyping(ctx, peer.aor, true)
	if in := indication(t, peer.next(200)); in.State != iscomposing.StateActive || in.Refresh != typingRefresh {
		t.Fatalf("active: %+v", in)
	}
	c.SetTyping(ctx, peer.aor, true) // still typing: no new notice
	c.SetTyping(ctx, peer.aor, false)
	if in := indication(t, peer.next(200)); in.State != iscomposing.StateIdle {
		t.Fatalf("want idle next, got %+v", in)
	}
	c.SetTyping(ctx, peer.aor, true)
	indication(t, peer.next(200))
	c.SendMessage(ctx, peer.aor, "sent")
	if req := peer.next(200); string(req.Body()) != "sent" {
		t.Fatalf("want the text, got:\n%s", req)
	}
	c.SetTyping(ctx, peer.aor, true)
	if in := indication(t, peer.next(200)); in.State != iscomposing.StateActive {
		t.Fatalf("after the message: %+v (no idle follows a message)", in)
	}
}

// A 415 to a typing notice: never again, also after a restart (the
// history remembers), and messages still go.
func TestWireTypingRefused(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	ctx := context.Background()
	peer.send("shows", iscomposing.ContentType, golden(t, "iscomposing", "rfc3994-active.xml"))
	rec.wait(t, "peer typing", isTyping(true))
	c.SetTyping(ctx, peer.aor, true)
	indication(t, peer.next(415))
	c.SetTyping(ctx, peer.aor, false)
	c.SetTyping(ctx, peer.aor, true)
	c.SendMessage(ctx, peer.aor, "still here")
	if req := peer.next(200); string(req.Body()) != "still here" {
		t.Fatalf("after a 415 Parley sent:\n%s", req)
	}
	if caps := storedCaps(t, c, peer.id()); caps.Typing != history.SupportNo {
		t.Fatalf("caps %+v", caps)
	}
}

// Typing notices off: nothing goes out even to a peer that takes them.
func TestWireTypingOff(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp", WithIMPrefs(IMPrefs{TypingNotices: false, ReadReceipts: true}))
	peer := newIMPeer(t, c)
	ctx := context.Background()
	peer.send("shows", iscomposing.ContentType, golden(t, "iscomposing", "rfc3994-active.xml"))
	rec.wait(t, "peer typing", isTyping(true))
	c.SetTyping(ctx, peer.aor, true)
	c.SendMessage(ctx, peer.aor, "quiet")
	if req := peer.next(200); string(req.Body()) != "quiet" {
		t.Fatalf("with typing off Parley sent:\n%s", req)
	}
}

// RFC 5438's disposition request, as CPIM: the text is shown with the
// CPIM DateTime, stored once even when resent with a new Call-ID, and
// its delivery notification goes back to the SIP sender; the RFC's
// im: addresses disagree with SIP's and say so.
func TestWireCPIMIn(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	raw := golden(t, "cpim", "rfc5438-disposition-request.cpim")
	body := addressedTo(raw, peer.aor, c.AOR())
	if res := peer.send("cpim-1", cpim.ContentType, body); res.StatusCode != 200 {
		t.Fatalf("CPIM answered %d", res.StatusCode)
	}
	ev := rec.wait(t, "message", isMessage("Hello World")).(MessageReceived)
	want := time.Date(2006, 4, 4, 17, 16, 49, 0, time.UTC)
	if !ev.CPIM || !ev.SentAt.Equal(want) || ev.Mismatch != "" || ev.Peer != peer.id() {
		t.Fatalf("event %+v", ev)
	}
	m, n := notification(t, peer.next(200))
	if n.Kind != imdn.KindDelivery || n.Status != imdn.StatusDelivered || n.MessageID != "34jk324j" || !n.DateTime.Equal(want) {
		t.Fatalf("notification %+v", n)
	}
	if from, _ := m.From(); !sameParty(from.URI, c.AOR()) {
		t.Fatalf("notification from %q", from.URI)
	}
	if res := peer.send("cpim-1-resent", cpim.ContentType, body); res.StatusCode != 200 {
		t.Fatalf("resend answered %d", res.StatusCode)
	}
	peer.next(200) // its delivery notification, again
	// A new message with the im: addresses as written.
	spoofed := bytes.Replace(raw, []byte("34jk324j"), []byte("other-id"), 1)
	if res := peer.send("spoof", cpim.ContentType, spoofed); res.StatusCode != 200 {
		t.Fatalf("RFC example answered %d", res.StatusCode)
	}
	peer.next(200)
	spoof := rec.wait(t, "mismatch", func(e Event) bool { m, ok := e.(MessageReceived); return ok && m.Mismatch != "" }).(MessageReceived)
	if !strings.Contains(spoof.Mismatch, "im:alice@example.com") || spoof.Peer != peer.id() {
		t.Fatalf("mismatch %+v", spoof)
	}
	if n := rec.count(isMessage("Hello World")); n != 2 {
		t.Fatalf("%d Hello World events, want 2 (the resend is the same message)", n)
	}
	msgs, _ := c.History(context.Background(), peer.id(), 0, 10)
	if len(msgs) != 2 {
		t.Fatalf("history %+v", msgs)
	}
}

// Linphone's CPIM (its Message-ID without prefix) is read the same way.
func TestWireCPIMInLinphone(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	body := addressedTo(golden(t, "cpim", "linphone-message.cpim"), peer.aor, c.AOR())
	peer.send("lin-1", cpim.ContentType, body)
	rec.wait(t, "message", isMessage("Salut Bob !"))
	if _, n := notification(t, peer.next(200)); n.MessageID != "fPZyq1Ilk0jm" {
		t.Fatalf("notification %+v", n)
	}
	if caps := storedCaps(t, c, peer.id()); caps.IMDN != history.SupportYes {
		t.Fatalf("caps %+v", caps)
	}
}

// To a peer that spoke IMDN Parley sends CPIM asking for delivery and
// display; its notifications move the message to delivered, then read.
func TestWireCPIMOutAndReceipts(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	ctx := context.Background()
	peer.send("shows", cpim.ContentType, peer.cpim("p1", "hi", imdn.PositiveDelivery))
	peer.next(200) // its delivery notification
	id, _ := c.SendMessage(ctx, peer.aor, "Tea at four?")
	req := peer.next(200)
	if mediaType(req) != cpim.ContentType {
		t.Fatalf("not CPIM:\n%s", req)
	}
	m, err := cpim.Decode(req.Body())
	if err != nil {
		t.Fatal(err)
	}
	mid, d := imdn.Requested(m)
	from, _ := m.From()
	if mid == "" || d != imdn.PositiveDelivery|imdn.Display || string(m.Body) != "Tea at four?" ||
		!sameParty(from.URI, c.AOR()) || m.ContentType() != ContentTypeText {
		t.Fatalf("CPIM sent:\n%s", req.Body())
	}
	if _, ok := m.DateTime(); !ok {
		t.Fatalf("no DateTime:\n%s", req.Body())
	}
	rec.wait(t, "sent", hasStatus(MsgSent))

	delivered := bytes.Replace(golden(t, "imdn", "rfc5438-delivery.xml"), []byte("34jk324j"), []byte(mid), 1)
	wrapped, _ := cpim.Encode(imdn.Wrap(cpim.Address{URI: peer.aor}, cpim.Address{URI: c.AOR()}, "n1", delivered))
	if res := peer.send("imdn-1", cpim.ContentType, wrapped); res.StatusCode != 200 {
		t.Fatalf("notification answered %d", res.StatusCode)
	}
	st := rec.wait(t, "delivered", hasStatus(MsgDelivered)).(MessageStatus)
	if st.ID != id {
		t.Fatalf("status %+v for %s", st, id)
	}
	displayed := bytes.Replace(golden(t, "imdn", "rfc5438-display.xml"), []byte("34jk324j"), []byte(mid), 1)
	peer.send("imdn-2", imdn.ContentType, displayed) // bare, as some send it
	rec.wait(t, "read", hasStatus(MsgRead))
	msgs, _ := c.History(ctx, peer.id(), 0, 10)
	if msgs[0].ID != id || msgs[0].State != MsgRead || msgs[0].ReadAt.IsZero() {
		t.Fatalf("history %+v", msgs[0])
	}
	if n := rec.count(func(e Event) bool { _, ok := e.(MessageReceived); return ok }); n != 1 {
		t.Fatalf("%d chat lines, want 1: notifications are never shown", n)
	}
}

// A 415 to a CPIM message: the same message goes again at once as plain
// text, and the peer is plain only from then on, across restarts.
func TestWireCPIM415FallsBackToPlain(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	ctx := context.Background()
	peer.send("shows", cpim.ContentType, peer.cpim("p1", "hi", 0))
	rec.wait(t, "its message", isMessage("hi"))
	c.SendMessage(ctx, peer.aor, "plain please")
	first := peer.next(415)
	second := peer.next(200)
	if mediaType(first) != cpim.ContentType || mediaType(second) != "text/plain" || string(second.Body()) != "plain please" {
		t.Fatalf("sent:\n%s\nthen:\n%s", first, second)
	}
	if second.CallID().Value() != first.CallID().Value() || second.CSeq().SeqNo != first.CSeq().SeqNo+1 {
		t.Fatalf("the resend is not the next request of the message: %s %d", second.CallID().Value(), second.CSeq().SeqNo)
	}
	rec.wait(t, "sent", hasStatus(MsgSent))
	if caps := storedCaps(t, c, peer.id()); caps.IMDN != history.SupportNo {
		t.Fatalf("caps %+v", caps)
	}
	c.SendMessage(ctx, peer.aor, "again")
	if req := peer.next(200); mediaType(req) != "text/plain" {
		t.Fatalf("after the 415:\n%s", req)
	}
}

// Linphone's unsolicited receipt for plain text: bare message/imdn+xml,
// deflated, Priority non-urgent, naming the MESSAGE by its Call-ID.
func TestWireLinphoneBareReceipt(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	c.SendMessage(context.Background(), peer.aor, "plain")
	req := peer.next(200)
	if mediaType(req) != "text/plain" {
		t.Fatalf("to an unknown peer:\n%s", req)
	}
	rec.wait(t, "sent", hasStatus(MsgSent))
	body := bytes.Replace(golden(t, "imdn", "linphone-delivered.xml"), []byte("GZjCQy1iXwoMKGmFEq0ySxJ6"), []byte(req.CallID().Value()), 1)
	res := peer.send("lin-imdn", imdn.ContentType, deflate(t, body), "Content-Encoding: deflate", "Priority: non-urgent")
	if res.StatusCode != 200 {
		t.Fatalf("answered %d", res.StatusCode)
	}
	rec.wait(t, "delivered", hasStatus(MsgDelivered))
	// Its error notification for the next one: failed, with the reason.
	c.SendMessage(context.Background(), peer.aor, "plain too")
	req = peer.next(200)
	failed := bytes.Replace(golden(t, "imdn", "linphone-failed.xml"), []byte("GZjCQy1iXwoMKGmFEq0ySxJ6"), []byte(req.CallID().Value()), 1)
	peer.send("lin-imdn-2", imdn.ContentType, deflate(t, failed), "Content-Encoding: deflate")
	st := rec.wait(t, "failed", hasStatus(MsgFailed)).(MessageStatus)
	if st.Code != 488 || !strings.Contains(st.Reason, "Not acceptable") || !st.RetryAt.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

// Compressed bodies are decoded first; an unknown coding is 415 with
// Accept-Encoding (RFC 3261 20.2), a corrupt one 400.
func TestWireContentEncoding(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	gz, _ := bodyencEncode("gzip", []byte("squeezed"))
	if res := peer.send("gz", "text/plain", gz, "Content-Encoding: gzip"); res.StatusCode != 200 {
		t.Fatalf("gzip answered %d", res.StatusCode)
	}
	rec.wait(t, "message", isMessage("squeezed"))
	res := peer.send("br", "text/plain", []byte("x"), "Content-Encoding: br")
	if res.StatusCode != 415 || headerValue(res, "Accept-Encoding") != acceptEncoding {
		t.Fatalf("unknown coding answered:\n%s", res)
	}
	if res := peer.send("bad", "text/plain", []byte("not deflate"), "Content-Encoding: deflate"); res.StatusCode != 400 {
		t.Fatalf("corrupt body answered %d", res.StatusCode)
	}
}

// MarkRead sends the display notifications asked for, once; with read
// receipts off it settles them without a word.
func TestWireMarkRead(t *testing.T) {
	c, rec := newTestClient(t, "alice", "tcp")
	peer := newIMPeer(t, c)
	ctx := context.Background()
	peer.send("r1", cpim.ContentType, peer.cpim("m-1", "one", imdn.Display))
	peer.send("r2", cpim.ContentType, peer.cpim("m-2", "two", imdn.Display))
	peer.send("r3", cpim.ContentType, peer.cpim("", "no id", imdn.Display))
	rec.wait(t, "third", isMessage("no id"))
	c.MarkRead(ctx, peer.id())
	for _, want := range []string{"m-1", "m-2"} {
		if _, n := notification(t, peer.next(200)); n.Kind != imdn.KindDisplay || n.Status != imdn.StatusDisplayed || n.MessageID != want {
			t.Fatalf("display %+v, want %s", n, want)
		}
	}
	c.MarkRead(ctx, peer.id()) // nothing twice
	c.SetIMPrefs(IMPrefs{TypingNotices: true, ReadReceipts: false})
	peer.send("r4", cpim.ContentType, peer.cpim("m-4", "four", imdn.Display))
	rec.wait(t, "fourth", isMessage("four"))
	c.MarkRead(ctx, peer.id())
	c.SetIMPrefs(IMPrefs{TypingNotices: true, ReadReceipts: true})
	c.MarkRead(ctx, peer.id())
	c.SendMessage(ctx, peer.aor, "sentinel")
	if req := peer.next(200); mediaType(req) == cpim.ContentType {
		if m, _ := cpim.Decode(req.Body()); m == nil || m.ContentType() != ContentTypeText {
			t.Fatalf("a display notification went out twice or with receipts off:\n%s", req.Body())
		}
	}
}

// A CPIM message too large for us, asking for negative delivery: 413 and
// a failed delivery notification.
func TestWireNegativeDelivery(t *testing.T) {
	c, _ := newTestClient(t, "alice", "tcp", WithMaxBody(1024))
	peer := newIMPeer(t, c)
	body := peer.cpim("big-1", strings.Repeat("x", 2000), imdn.PositiveDelivery|imdn.NegativeDelivery)
	if res := peer.send("big", cpim.ContentType, body); res.StatusCode != 413 {
		t.Fatalf("answered %d", res.StatusCode)
	}
	if _, n := notification(t, peer.next(200)); n.Status != imdn.StatusFailed || n.MessageID != "big-1" || n.ReasonCode != 413 {
		t.Fatalf("notification %+v", n)
	}
}
