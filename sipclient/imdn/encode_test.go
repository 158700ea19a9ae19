package imdn

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestEncodeGolden(t *testing.T) {
	n := &Notification{MessageID: "34jk324j", DateTime: rfcDate.In(time.FixedZone("", -5*3600)),
		RecipientURI: "im:bob@example.com", Kind: KindDelivery, Status: StatusDelivered}
	got, err := Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-delivery.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Every golden survives Encode and Decode unchanged.
func TestRoundTripGoldens(t *testing.T) {
	for _, name := range []string{"rfc5438-delivery.xml", "rfc5438-display.xml", "rfc5438-processing.xml",
		"linphone-delivered.xml", "linphone-failed.xml", "linphone-libxml2-error.xml"} {
		t.Run(name, func(t *testing.T) {
			n := decodeFile(t, name)
			out, err := Encode(n)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Decode(out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !sameNotification(again, n) {
				t.Errorf("round trip changed it:\nfirst  %+v\nsecond %+v", n, again)
			}
		})
	}
}

func sameNotification(a, b *Notification) bool {
	x, y := *a, *b
	x.DateTime, y.DateTime = time.Time{}, time.Time{}
	return x == y && a.DateTime.Equal(b.DateTime)
}

func TestEncodeEscapes(t *testing.T) {
	n := &Notification{MessageID: `<x>&"y"`, DateTime: rfcDate, Kind: KindDisplay, Status: StatusError,
		Reason: "a</linphone:reason><b>", ReasonCode: 500}
	out, err := Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(out)
	if err != nil || !sameNotification(back, n) {
		t.Errorf("got (%+v, %v) from\n%s", back, err, out)
	}
}

func TestEncodeErrors(t *testing.T) {
	ok := Notification{MessageID: "1", DateTime: rfcDate, Kind: KindDelivery, Status: StatusDelivered}
	tests := []struct {
		name string
		edit func(*Notification)
	}{
		{"no message-id", func(n *Notification) { n.MessageID = " " }},
		{"no datetime", func(n *Notification) { n.DateTime = time.Time{} }},
		{"no kind", func(n *Notification) { n.Kind = "" }},
		{"unknown kind", func(n *Notification) { n.Kind = "read-notification" }},
		{"unknown status", func(n *Notification) { n.Status = "read" }},
		{"delivered in a display notification", func(n *Notification) { n.Kind = KindDisplay }},
		{"displayed in a delivery notification", func(n *Notification) { n.Status = StatusDisplayed }},
		{"stored in a delivery notification", func(n *Notification) { n.Status = StatusStored }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := ok
			tt.edit(&n)
			if out, err := Encode(&n); !errors.Is(err, ErrInvalid) || out != nil {
				t.Fatalf("got (%s, %v), want ErrInvalid", out, err)
			}
		})
	}
	if _, err := Encode(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil: %v", err)
	}
}
