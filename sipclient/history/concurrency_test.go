package history

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/parley-im/parley/sipclient/identity"
)

// TestConcurrentUse runs writers and readers at once, for the race
// detector and to show that the single writer serializes without
// SQLITE_BUSY errors.
func TestConcurrentUse(t *testing.T) {
	for _, memory := range []bool{false, true} {
		t.Run(fmt.Sprint("memory=", memory), func(t *testing.T) {
			s := concurrentStore(t, memory)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for w := range 4 {
				wg.Go(func() {
					for i := range 25 {
						_, _, err := s.AddIncoming(ctx, incoming(bob, "concurrent words", fmt.Sprint(w, "-", i), 1))
						errs <- err
						_, err = s.AddOutgoing(ctx, Message{PeerURI: alice, Text: "reply"})
						errs <- err
					}
				})
				wg.Go(func() {
					for range 25 {
						_, err := s.History(ctx, pid(bob), 0, 20)
						errs <- err
						_, err = s.Search(ctx, "concurrent wor", identity.ID{}, 20)
						errs <- err
						_, err = s.Due(ctx, t0, 10)
						errs <- err
					}
				})
			}
			go func() { wg.Wait(); close(errs) }()
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := countMessages(t, s); n != 200 {
				t.Errorf("%d messages, want 200", n)
			}
		})
	}
}

func concurrentStore(t *testing.T, memory bool) *Store {
	if !memory {
		s, _ := openTemp(t)
		return s
	}
	s, err := OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
