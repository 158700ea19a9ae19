package sipclient

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/kamailio"
)

// BenchmarkServerRegistration: from New to the registered event, over
// TCP with the digest exchange, against a real Kamailio on loopback.
func BenchmarkServerRegistration(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{Users: kamUsers})
	b.ResetTimer()
	for range b.N {
		sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp", Password: kamUsers["alice"]}
		c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc})
		if err != nil {
			b.Fatal(err)
		}
		record(c).wait(b, "registered", isReg(RegRegistered))
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}

// BenchmarkServerMessageLatency sends 1,000 MESSAGEs one after another
// from alice to bob through Kamailio (TCP both sides) and reports the
// latency until bob's 200 came back through the relay, so each message
// was in bob's history: p50 and p99.
func BenchmarkServerMessageLatency(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{Users: kamUsers})
	alice, arec := serverClient(b, srv, "alice", kamUsers["alice"], "tcp")
	_, brec := serverClient(b, srv, "bob", kamUsers["bob"], "tcp")
	arec.wait(b, "alice registered", isReg(RegRegistered))
	brec.wait(b, "bob registered", isReg(RegRegistered))
	ctx := context.Background()
	const n = 1000
	lat := make([]time.Duration, 0, n*b.N)
	b.ResetTimer()
	for range b.N {
		for i := range n {
			start := time.Now()
			d, err := alice.DeliverMessage(ctx, "sip:bob@parley.test", fmt.Sprintf("message %d", i))
			if err != nil || d.Status != MsgSent {
				b.Fatalf("message %d: %+v %v", i, d, err)
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	got := brec.count(func(e Event) bool { _, ok := e.(MessageReceived); return ok })
	if got != n*b.N {
		b.Errorf("bob got %d messages, want %d", got, n*b.N)
	}
}

// BenchmarkServerRosterLogin: a user with 1,000 contacts logs in through
// Kamailio (TCP): time from New until every subscription is active.
func BenchmarkServerRosterLogin(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{Users: kamUsers})
	const contacts = 1000
	b.ResetTimer()
	for range b.N {
		sc := &ServerConfig{AOR: "sip:alice@parley.test", Registrar: "sip:" + srv.TCPAddr() + ";transport=tcp", Password: kamUsers["alice"]}
		c, err := New(Config{ListenAddr: "127.0.0.1:0", User: "alice", Server: sc}, WithSubscribeExpires(600))
		if err != nil {
			b.Fatal(err)
		}
		rec := record(c)
		for i := range contacts {
			if err := c.Subscribe(context.Background(), fmt.Sprintf("sip:contact%04d@parley.test", i)); err != nil {
				b.Fatal(err)
			}
		}
		active := map[string]bool{}
		rec.wait(b, "all subscriptions active", func(e Event) bool {
			if s, ok := e.(SubscriptionChanged); ok && s.State == SubActive {
				active[s.URI] = true
			}
			return len(active) == contacts
		})
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}
