package imdn

import (
	"testing"

	"github.com/parley-im/parley/sipclient/cpim"
)

func decodeCPIM(t *testing.T, s string) *cpim.Message {
	t.Helper()
	m, err := cpim.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRequested(t *testing.T) {
	const tail = "\r\nContent-Type: text/plain\r\n\r\nhi"
	tests := []struct {
		name, msg string
		id        string
		d         Disposition
	}{
		{"RFC 5438", "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 34jk324j\r\n" +
			"imdn.Disposition-Notification: positive-delivery, display\r\n" + tail, "34jk324j", PositiveDelivery | Display},
		{"another prefix", "NS: i <urn:ietf:params:imdn>\r\ni.Message-ID: 7\r\ni.Disposition-Notification: Negative-Delivery\r\n" + tail,
			"7", NegativeDelivery},
		{"Linphone: Message-ID without prefix", "NS: imdn <urn:ietf:params:imdn>\r\nMessage-ID: fPZyq1Ilk0jm\r\n" +
			"imdn.Disposition-Notification: positive-delivery, negative-delivery, display\r\n" + tail,
			"fPZyq1Ilk0jm", PositiveDelivery | NegativeDelivery | Display},
		{"imdn prefix without NS", "imdn.Message-ID: 9\r\nimdn.Disposition-Notification: processing, bogus\r\n" + tail, "9", Processing},
		{"imdn prefix bound elsewhere is not IMDN", "NS: imdn <urn:example>\r\nimdn.Message-ID: 9\r\n" + tail, "", 0},
		{"nothing asked", "From: <sip:a@b>\r\n" + tail, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, d := Requested(decodeCPIM(t, tt.msg))
			if id != tt.id || d != tt.d {
				t.Errorf("got (%q, %v), want (%q, %v)", id, d, tt.id, tt.d)
			}
		})
	}
}

func TestDispositionString(t *testing.T) {
	d := Display | PositiveDelivery | NegativeDelivery
	if got := d.String(); got != "positive-delivery, negative-delivery, display" {
		t.Errorf("got %q", got)
	}
	if ParseDisposition(d.String()) != d || Disposition(0).String() != "" {
		t.Error("round trip")
	}
}

// Request then Encode then Decode then Requested gives the request back.
func TestRequestRoundTrip(t *testing.T) {
	m := cpim.New(cpim.Address{URI: "sip:alice@parley.test"}, cpim.Address{URI: "sip:bob@parley.test"}, "text/plain", []byte("hi"))
	Request(m, "p4rl3y-2", PositiveDelivery|Display)
	out, err := cpim.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	id, d := Requested(decodeCPIM(t, string(out)))
	if id != "p4rl3y-2" || d != PositiveDelivery|Display {
		t.Errorf("got (%q, %v) from\n%s", id, d, out)
	}
}

// A receipt wrapped in CPIM as RFC 5438 section 7.1 shows.
func TestWrap(t *testing.T) {
	n := &Notification{MessageID: "34jk324j", DateTime: rfcDate, Kind: KindDisplay, Status: StatusDisplayed}
	body, err := Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	m := Wrap(cpim.Address{Name: "Bob", URI: "im:bob@example.com"}, cpim.Address{Name: "Alice", URI: "im:alice@example.com"}, "dd328f8", body)
	out, err := cpim.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	back := decodeCPIM(t, string(out))
	if id, _ := Requested(back); id != "dd328f8" {
		t.Errorf("wrapper Message-ID %q", id)
	}
	if v, _ := back.Field("Content-Disposition"); v != "notification" || back.ContentType() != ContentType {
		t.Errorf("content headers %+v", back.Content)
	}
	got, err := Decode(back.Body)
	if err != nil || !sameNotification(got, n) {
		t.Errorf("inner notification (%+v, %v)", got, err)
	}
}
