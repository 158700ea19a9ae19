package ui

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

func rosterOf(b *testing.B, n int) *account.Book {
	r, _ := account.OpenBook(b.TempDir(), sipclient.Ask)
	for i := 0; i < n; i++ {
		r.Add(account.Contact{URI: fmt.Sprintf("sip:c%d@example.test", i), Name: fmt.Sprintf("Contact %d", i), Group: fmt.Sprintf("G%d", i%5)})
	}
	return r
}

// BenchmarkPresenceBurst applies a burst of 1,000 presence updates to a
// 1,000-contact roster the way the event pump does: one batch, one
// re-sort, one list refresh. ns/op is the time the Fyne thread is busy.
func BenchmarkPresenceBurst(b *testing.B) {
	fa := test.NewTempApp(b)
	a := New(fa, newFakeCore(), rosterOf(b, 1000), Options{})
	a.win.Resize(fyne.NewSize(360, 800))
	a.win.Show()
	bursts := [2][]sipclient.Event{}
	for i := 0; i < 1000; i++ {
		uri := fmt.Sprintf("sip:c%d@example.test", i)
		bursts[0] = append(bursts[0], sipclient.PresenceChanged{Peer: pid(uri), URI: uri, Basic: "open", Activity: "away", Note: "lunch"})
		bursts[1] = append(bursts[1], sipclient.PresenceChanged{Peer: pid(uri), URI: uri, Basic: "closed"})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.applyBatch(bursts[i%2])
	}
}

// BenchmarkRosterMemory reports the heap the UI holds per contact, from
// the difference between a 10- and a 1,010-contact roster.
func BenchmarkRosterMemory(b *testing.B) {
	heap := func(n int) (uint64, *App) {
		fa := test.NewTempApp(b)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		a := New(fa, newFakeCore(), rosterOf(b, n), Options{})
		a.win.Show()
		runtime.GC()
		runtime.ReadMemStats(&m1)
		return m1.HeapAlloc - m0.HeapAlloc, a
	}
	for i := 0; i < b.N; i++ {
		small, a1 := heap(10)
		large, a2 := heap(1010)
		b.ReportMetric(float64(large-small)/1000, "B/contact")
		runtime.KeepAlive(a1)
		runtime.KeepAlive(a2)
	}
}

// BenchmarkJumpFarBack opens a conversation and jumps to a search hit
// 1,000 messages back, the way tapping the hit does: every page down to it
// is read and the maxShown around it are laid out. ns/op is the time the
// Fyne thread is busy.
func BenchmarkJumpFarBack(b *testing.B) {
	const n = 1000
	for range b.N {
		b.StopTimer()
		a, core, _ := newTestApp(b)
		storeLong(core, n)
		a.openChat(a.contacts[pid(laplace)])
		conv := a.chats.convs[pid(laplace)]
		b.StartTimer()
		a.chats.jumpTo(conv, 1)
		// The hit is the oldest message: it and the newer half of maxShown.
		if len(conv.lines) != maxShown/2+1 || !conv.away {
			b.Fatalf("%d lines shown (away: %v), want the %d up to the hit", len(conv.lines), conv.away, maxShown/2+1)
		}
	}
}

// BenchmarkLoadOlderDeep loads one more page of 50 into a conversation
// 5,000 messages up its history, as scrolling up deep into a long history
// does. ns/op is the time the Fyne thread is busy.
func BenchmarkLoadOlderDeep(b *testing.B) {
	const deep, total = 5000, 5000 + 50*20
	a, core, _ := newTestApp(b)
	storeLong(core, total)
	a.openChat(a.contacts[pid(laplace)])
	conv := a.chats.convs[pid(laplace)]
	a.chats.jumpTo(conv, sipclient.MessageID(total-deep+1))
	b.ResetTimer()
	for range min(b.N, 20) {
		a.chats.loadOlder(conv)
	}
	b.StopTimer()
	if len(conv.lines) > maxShown || conv.lines[0].id != sipclient.MessageID(total-deep+1-50*min(b.N, 20)) {
		b.Fatalf("%d lines shown from %s", len(conv.lines), conv.lines[0].id)
	}
}

// BenchmarkLongMessage shows one incoming message in a new chat: the
// wrapped text is measured and laid out on the Fyne thread. The core takes
// bodies up to 32 KiB.
func BenchmarkLongMessage(b *testing.B) {
	for _, n := range []int{1000, 8000, 32 << 10} {
		text := strings.Repeat("lorem ipsum dolor sit amet ", n/27+1)[:n]
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				a, _, _ := newTestApp(b)
				b.StartTimer()
				a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
			}
		})
	}
}

// BenchmarkPasteLong pastes one paragraph into the chat input (the core
// takes up to 32 KiB). ns/op is the time the Fyne thread is busy.
func BenchmarkPasteLong(b *testing.B) {
	for _, n := range []int{8000, 32 << 10} {
		text := strings.Repeat("lorem ipsum dolor sit amet ", n/27+1)[:n]
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				a, _, _ := newTestApp(b)
				a.openChat(a.contacts[pid(laplace)])
				cb := a.fa.Clipboard()
				cb.SetContent(text)
				b.StartTimer()
				a.chats.convs[pid(laplace)].entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
			}
		})
	}
}

// BenchmarkIncomingBurst applies a batch of 100 incoming messages to an
// open chat already showing 450 lines, as the event pump does when a
// server hands over stored messages at sign-in. ns/op is the time the
// Fyne thread is busy.
func BenchmarkIncomingBurst(b *testing.B) {
	batch := burst(10000)
	for range b.N {
		b.StopTimer()
		a, conv := chatShowing(b, 450)
		b.StartTimer()
		a.applyBatch(batch)
		if last := conv.last(); last.text != "burst 10099" || len(conv.lines) != maxShown {
			b.Fatalf("%d lines, last %q", len(conv.lines), last.text)
		}
	}
}
