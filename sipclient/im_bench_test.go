package sipclient

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/history"
)

// Figures for the IM dialect, Parley → Parley on loopback over TCP.
//
//	go test -run XXX -bench 'BenchmarkIM' ./sipclient/
//	go test -run TestIMConversationCost -v ./sipclient/

// BenchmarkIMPlain and BenchmarkIMCPIM send b.N messages from one client
// to another and report messages a second until every one is final:
// answered 200 for plain text, confirmed by the peer's delivery
// notification for CPIM with IMDN.
func BenchmarkIMPlain(b *testing.B) { benchIM(b, false) }
func BenchmarkIMCPIM(b *testing.B)  { benchIM(b, true) }

func benchIM(b *testing.B, cpimOn bool) {
	a, rec := newTestClient(b, "alice", "tcp")
	bob, _ := newTestClient(b, "bob", "tcp")
	peer := pid(bob.AOR())
	a.ResumeOutbox()
	level := history.SupportNo
	if cpimOn {
		level = history.SupportYes
	}
	a.pager.caps.update(peer, true, func(c *history.Caps) { c.IMDN = level })
	final := MsgSent
	if cpimOn {
		final = MsgDelivered
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := a.SendMessage(ctx, bob.AOR()+";transport=tcp", fmt.Sprintf("message %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	rec.mu.Lock()
	for rec.countLocked(hasStatus(final)) < b.N {
		rec.cond.Wait()
	}
	rec.mu.Unlock()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// wireCount counts the MESSAGEs the clients of this process send, by
// what they carry.
type wireCount struct {
	mu     sync.Mutex
	counts map[string]int
}

func (w *wireCount) Write(p []byte) (int, error) {
	s := string(p)
	if !strings.HasPrefix(s, "--- SIP send") {
		return len(p), nil
	}
	_, msg, _ := strings.Cut(s, "---\n")
	if !strings.HasPrefix(msg, "MESSAGE ") {
		return len(p), nil
	}
	kind := "chat"
	switch {
	case strings.Contains(msg, "im-iscomposing"):
		kind = "typing"
	case strings.Contains(msg, "<delivery-notification>"):
		kind = "delivery"
	case strings.Contains(msg, "<display-notification>"):
		kind = "display"
	}
	w.mu.Lock()
	w.counts[kind]++
	w.mu.Unlock()
	return len(p), nil
}

// TestIMConversationCost runs a 20-message conversation, 10 each way,
// each message typed (SetTyping) before it is sent and read (MarkRead)
// by the other side once it arrives, and counts what went on the wire.
func TestIMConversationCost(t *testing.T) {
	w := &wireCount{counts: map[string]int{}}
	a, arec := newTestClient(t, "alice", "tcp", WithTrace(w))
	b, brec := newTestClient(t, "bob", "tcp")
	ctx := context.Background()
	sides := []struct {
		from, to     *Client
		rec, fromRec *recorder
	}{{a, b, brec, arec}, {b, a, arec, brec}}
	for i := range 20 {
		s := sides[i%2]
		uri := s.to.AOR() + ";transport=tcp"
		s.from.SetTyping(ctx, uri, true)
		text := fmt.Sprintf("line %d", i)
		id, _ := s.from.SendMessage(ctx, uri, text)
		s.rec.wait(t, text, isMessage(text))
		// The 200 (whose Accept tells the sender the peer takes receipts)
		// and the reply come on two connections: without this wait the
		// reply may be read first and the sender's next message go out
		// before it learned, plain, as a person typing that fast would.
		s.fromRec.wait(t, "sent", func(e Event) bool {
			ms, ok := e.(MessageStatus)
			return ok && ms.ID == id
		})
		s.to.MarkRead(ctx, pid(s.from.AOR()))
	}
	// The last receipts: alice's last message read by bob is message 18.
	arec.wait(t, "last read", func(e Event) bool {
		ms, ok := e.(MessageStatus)
		return ok && ms.Status == MsgRead && arec.countLocked(hasStatus(MsgRead)) >= 9
	})
	brec.wait(t, "last read", func(e Event) bool {
		ms, ok := e.(MessageStatus)
		return ok && ms.Status == MsgRead && brec.countLocked(hasStatus(MsgRead)) >= 9
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	extra := w.counts["typing"] + w.counts["delivery"] + w.counts["display"]
	t.Logf("20 chat messages: %d MESSAGEs on the wire: %v; %.2f extra per chat message",
		extra+w.counts["chat"], w.counts, float64(extra)/float64(w.counts["chat"]))
	if w.counts["chat"] != 20 {
		t.Errorf("%d chat MESSAGEs, want 20", w.counts["chat"])
	}
}
