package sipclient

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/kamailio"
)

// Two devices of one user, registered to one address with their own
// instance IDs: a MESSAGE to the address reaches both (the server forks);
// one to a device's GRUU reaches that device only; each device publishes
// its own status and a watcher sees the server's composition of both.
func TestTwoDevicesOneAddress(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Users: kamUsers, Outbound: true})
	laptop, lrec := outboundClient(t, srv, "alice", "udp", NewInstanceID())
	phone, prec := outboundClient(t, srv, "alice", "tcp", NewInstanceID())
	lrec.wait(t, "laptop registered", isReg(RegRegistered))
	prec.wait(t, "phone registered", isReg(RegRegistered))
	lg, pg := laptop.reg.gruu(), phone.reg.gruu()
	if lg == nil || pg == nil || lg.String() == pg.String() {
		t.Fatalf("GRUUs: laptop %v, phone %v", lg, pg)
	}
	bob, brec := outboundClient(t, srv, "bob", "udp", NewInstanceID())
	brec.wait(t, "bob registered", isReg(RegRegistered))
	ctx := context.Background()

	if d, err := bob.DeliverMessage(ctx, "sip:alice@parley.test", "to both of you"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> alice: %+v %v", d, err)
	}
	lrec.wait(t, "laptop got it", isMessage("to both of you"))
	prec.wait(t, "phone got it", isMessage("to both of you"))

	if d, err := bob.DeliverMessage(ctx, pg.String(), "phone only"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> phone's GRUU: %+v %v", d, err)
	}
	prec.wait(t, "phone got its own", isMessage("phone only"))
	if d, err := bob.DeliverMessage(ctx, lg.String(), "laptop only"); err != nil || d.Status != MsgSent {
		t.Fatalf("bob -> laptop's GRUU: %+v %v", d, err)
	}
	lrec.wait(t, "laptop got its own", isMessage("laptop only"))
	if lrec.count(isMessage("phone only")) != 0 || prec.count(isMessage("laptop only")) != 0 {
		t.Fatal("a message to one device's GRUU reached the other")
	}

	if err := laptop.SetPresence(ctx, Presence{Status: StatusAway, Note: "laptop idle"}); err != nil {
		t.Fatal(err)
	}
	if err := phone.SetPresence(ctx, Presence{Status: StatusAvailable, Note: "on my phone"}); err != nil {
		t.Fatal(err)
	}
	if err := bob.Subscribe(ctx, "sip:alice@parley.test"); err != nil {
		t.Fatal(err)
	}
	p := brec.wait(t, "both devices in alice's presence", func(e Event) bool {
		p, ok := e.(PresenceChanged)
		return ok && strings.Contains(p.Raw, "laptop idle") && strings.Contains(p.Raw, "on my phone")
	}).(PresenceChanged)
	t.Logf("composed:\n%s", p.Raw)
	if p.Basic != BasicOpen || p.Activity != "" || p.Note != "on my phone" {
		t.Errorf("bob sees %+v; want the most available device: open, no activity, the phone's note", p)
	}
}
