package sipclient

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
)

// loginFigures are what one login with a big roster cost.
type loginFigures struct {
	dialogs, subscribes, notifies, bytes int
	allKnown                             time.Duration
	serverCPU                            time.Duration
	heapPerContact                       float64
}

// measureLogin: alice, registered, watches n contacts at a Kamailio with
// RLS (through her buddy list when withList, else one SUBSCRIBE each)
// until every contact's published state is known. The counts start after
// the registration; the server CPU is its process group's; the heap is
// the growth of the live heap, per contact.
func measureLogin(b *testing.B, n int, withList bool) loginFigures {
	users, uris := rosterUsers(n)
	srv := kamailio.Start(b, kamailio.Options{Users: users, RLS: true})
	publishAll(b, srv, users, uris)
	putBuddyList(b, srv, uris)
	w := &listWire{}
	sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp",
		Password: kamUsers["alice"], Expires: 300}
	if withList {
		sc.BuddyList = buddyList
	}
	c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Transport: "tcp", Server: sc},
		WithRequestTimeout(10*time.Second), WithSubscribeExpires(600), WithTrace(w))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	known := make(map[string]bool, n)
	for _, u := range uris {
		known[u] = false
	}
	registered, allKnown := make(chan struct{}), make(chan struct{})
	go func() {
		left, reg := n, false
		for e := range c.Events() {
			switch e := e.(type) {
			case RegistrationChanged:
				if e.State == RegRegistered && !reg {
					reg = true
					close(registered)
				}
			case PresenceChanged:
				if was, ok := known[e.URI]; ok && !was && e.Basic == BasicOpen {
					known[e.URI] = true
					if left--; left == 0 {
						close(allKnown)
					}
				}
			}
		}
	}()
	waitOrFail(b, registered, "registration", 15*time.Second)
	time.Sleep(200 * time.Millisecond) // the presence.winfo and PUBLISH exchanges settle
	w.reset()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0, t0 := cpuTicks(srv.PID()), time.Now()
	for _, u := range uris {
		if err := c.Subscribe(context.Background(), u); err != nil {
			b.Fatal(err)
		}
	}
	waitOrFail(b, allKnown, "every contact's state", 5*time.Minute)
	f := loginFigures{allKnown: time.Since(t0), serverCPU: time.Duration(cpuTicks(srv.PID())-cpu0) * 10 * time.Millisecond}
	runtime.GC()
	runtime.ReadMemStats(&after)
	f.heapPerContact = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	f.dialogs, f.subscribes, f.notifies, f.bytes = w.get()
	return f
}

func waitOrFail(b *testing.B, ch <-chan struct{}, what string, bound time.Duration) {
	b.Helper()
	select {
	case <-ch:
	case <-time.After(bound):
		b.Fatalf("no %s within %v", what, bound)
	}
}

// BenchmarkRosterLoginRLS prints the figures of a login with 1,000
// contacts through Kamailio, with the buddy list (RLS) and with one
// subscription per contact. Run:
//
//	go test ./sipclient -run '^$' -bench RosterLoginRLS -benchtime 1x -v
func BenchmarkRosterLoginRLS(b *testing.B) {
	const n = 1000
	for _, mode := range []struct {
		name     string
		withList bool
	}{{"rls", true}, {"per-contact", false}} {
		b.Run(mode.name, func(b *testing.B) {
			for range b.N {
				f := measureLogin(b, n, mode.withList)
				b.Logf("%s, %d contacts: %d presence subscriptions (%d SUBSCRIBE requests), %d NOTIFYs, %d bytes on the wire; "+
					"every state known after %v; server CPU %v; Parley heap %.0f B per contact",
					mode.name, n, f.dialogs, f.subscribes, f.notifies, f.bytes, f.allKnown.Round(time.Millisecond),
					f.serverCPU, f.heapPerContact)
				b.ReportMetric(float64(f.dialogs), "subscriptions")
				b.ReportMetric(float64(f.bytes), "wire-bytes")
				b.ReportMetric(float64(f.allKnown.Milliseconds()), "ms-all-known")
				b.ReportMetric(float64(f.serverCPU.Milliseconds()), "server-cpu-ms")
				b.ReportMetric(f.heapPerContact, "heap-B/contact")
			}
		})
	}
}
