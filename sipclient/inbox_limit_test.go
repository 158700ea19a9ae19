package sipclient

import (
	"context"
	"github.com/parley-im/parley/sipclient/identity"
	"strconv"
	"testing"
	"time"
)

func TestStrangerLimitWindow(t *testing.T) {
	l := &strangerLimit{perSender: 2, total: 3}
	t0 := time.Now()
	got := func(aor string, at time.Duration) bool { return l.allow(pid(aor), t0.Add(at)) }
	steps := []struct {
		aor  string
		at   time.Duration
		want bool
	}{
		{"sip:a@x", 0, true}, {"sip:a@x", 1, true}, {"sip:a@x", 2, false}, // per sender
		{"sip:b@x", 3, true}, {"sip:c@x", 4, false}, // all strangers together
		{"sip:a@x", time.Minute, true}, // a new minute
	}
	for i, s := range steps {
		if g := got(s.aor, s.at); g != s.want {
			t.Errorf("step %d (%s at %v): allowed %v, want %v", i, s.aor, s.at, g, s.want)
		}
	}
	var none *strangerLimit
	if !none.allow(pid("sip:a@x"), t0) {
		t.Error("no limit refused a message")
	}
}

// Over the limit a stranger's MESSAGE gets 503 with Retry-After and is not
// stored; a known sender is never limited.
func TestStrangerLimitOnTheWire(t *testing.T) {
	known := func(who identity.ID) bool { return who.User() == "friend" }
	sink, _ := newTestClient(t, "sink", "tcp", WithBook(funcBook{contact: known}), WithStrangerLimit(2, 100))
	stranger, _ := newTestClient(t, "stranger", "tcp")
	friend, _ := newTestClient(t, "friend", "tcp")
	ctx := context.Background()
	to := sink.AOR() + ";transport=tcp"
	var codes []int
	for i := range 3 {
		d, err := stranger.DeliverMessage(ctx, to, "stranger "+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, d.Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 503 {
		t.Errorf("stranger's answers %v, want 200 200 503", codes)
	}
	for i := range 5 {
		if d, err := friend.DeliverMessage(ctx, to, "friend "+strconv.Itoa(i)); err != nil || d.Code != 200 {
			t.Fatalf("friend's message %d: %+v %v", i, d, err)
		}
	}
	if got, _ := sink.Search(ctx, "stranger", 10); len(got) != 2 {
		t.Errorf("%d of the stranger's messages stored, want 2", len(got))
	}
	if got, _ := sink.Search(ctx, "friend", 10); len(got) != 5 {
		t.Errorf("%d of the friend's messages stored, want 5", len(got))
	}
}
