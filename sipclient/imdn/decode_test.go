package imdn

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/bodyenc"
)

var rfcDate = time.Date(2008, 4, 4, 17, 16, 49, 0, time.UTC)

// The three examples of RFC 5438 section 7.2.1, one per kind.
func TestDecodeRFC5438(t *testing.T) {
	for _, tt := range []struct {
		file   string
		kind   Kind
		status Status
	}{
		{"rfc5438-delivery.xml", KindDelivery, StatusDelivered},
		{"rfc5438-display.xml", KindDisplay, StatusDisplayed},
		{"rfc5438-processing.xml", KindProcessing, StatusProcessed},
	} {
		t.Run(tt.file, func(t *testing.T) {
			n := decodeFile(t, tt.file)
			want := Notification{MessageID: "34jk324j", DateTime: n.DateTime,
				RecipientURI: "im:bob@example.com", OriginalRecipientURI: "im:bob@example.com",
				Kind: tt.kind, Status: tt.status}
			if *n != want || !n.DateTime.Equal(rfcDate) {
				t.Errorf("got %+v", n)
			}
		})
	}
}

// linphonec 5.1 as seen through Kamailio: a bare message/imdn+xml body
// sent with Content-Encoding: deflate (zlib, by belle-sip), whose
// message-id is the Call-ID of the MESSAGE it confirms. The datetime in
// the golden stands in for the one elided from the capture.
func TestDecodeLinphoneDeflated(t *testing.T) {
	plain := readTestdata(t, "linphone-delivered.xml")
	wire, err := bodyenc.Encode(plain, "deflate")
	if err != nil {
		t.Fatal(err)
	}
	body, err := bodyenc.Decode(wire, "deflate", MaxBodySize)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Notification{MessageID: "GZjCQy1iXwoMKGmFEq0ySxJ6", DateTime: time.Date(2024, 3, 12, 9, 41, 7, 0, time.UTC),
		Kind: KindDelivery, Status: StatusDelivered}
	if *n != want {
		t.Errorf("got %+v", n)
	}
}

// Linphone's failure reason, under a prefix ("imdn") that the newer
// serializer binds to Linphone's namespace, and the "linphoneimdn" one of
// the older libxml2 writer with <error/>.
func TestDecodeLinphoneReasons(t *testing.T) {
	n := decodeFile(t, "linphone-failed.xml")
	if n.Status != StatusFailed || n.Reason != "Not acceptable" || n.ReasonCode != 488 || !n.Status.Negative() {
		t.Errorf("failed: %+v", n)
	}
	n = decodeFile(t, "linphone-libxml2-error.xml")
	if n.Status != StatusError || n.Reason != "Unsupported content" || n.ReasonCode != 415 || n.MessageID != "0bgqsV7Wqz" {
		t.Errorf("error: %+v", n)
	}
}

func TestDecodeLenient(t *testing.T) {
	const ns = `xmlns="urn:ietf:params:xml:ns:imdn"`
	tests := []struct {
		name, body string
		want       Notification
	}{
		{"status as text", `<imdn ` + ns + `><message-id>a</message-id><display-notification><status> Displayed </status></display-notification></imdn>`,
			Notification{MessageID: "a", Kind: KindDisplay, Status: StatusDisplayed}},
		{"root without namespace", `<imdn><message-id>b</message-id><datetime>nonsense</datetime><delivery-notification><status><failed/></status></delivery-notification></imdn>`,
			Notification{MessageID: "b", Kind: KindDelivery, Status: StatusFailed}},
		{"prefixed, foreign elements, first notification wins", `<i:imdn xmlns:i="urn:ietf:params:xml:ns:imdn" xmlns:x="urn:x"><x:message-id>not this</x:message-id>` +
			`<i:message-id> c </i:message-id><x:extra/><i:subject>hi &amp; bye</i:subject>` +
			`<i:processing-notification><i:status><i:stored/></i:status></i:processing-notification>` +
			`<i:delivery-notification><i:status><i:delivered/></i:status></i:delivery-notification></i:imdn>`,
			Notification{MessageID: "c", Subject: "hi & bye", Kind: KindProcessing, Status: StatusStored}},
		{"status not allowed for the kind is still read", `<imdn ` + ns + `><message-id>d</message-id><display-notification><status><delivered/></status></display-notification></imdn>`,
			Notification{MessageID: "d", Kind: KindDisplay, Status: StatusDelivered}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if *n != tt.want {
				t.Errorf("got %+v", n)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const open = `<imdn xmlns="urn:ietf:params:xml:ns:imdn">`
	const id = `<message-id>x</message-id>`
	tests := []struct {
		name, body string
		want       error
	}{
		{"empty", "", ErrMalformed},
		{"not XML", "delivered", ErrMalformed},
		{"doctype", `<!DOCTYPE imdn [<!ENTITY a "b">]>` + open + `&a;</imdn>`, ErrMalformed},
		{"deep", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), ErrMalformed},
		{"wrong root", `<presence xmlns="urn:ietf:params:xml:ns:pidf"/>`, ErrNotIMDN},
		{"foreign namespace", `<imdn xmlns="urn:example"/>`, ErrNotIMDN},
		{"no message-id", open + `<delivery-notification><status><delivered/></status></delivery-notification></imdn>`, ErrInvalid},
		{"no notification", open + id + `</imdn>`, ErrInvalid},
		{"no status", open + id + `<delivery-notification/></imdn>`, ErrInvalid},
		{"unknown status", open + id + `<delivery-notification><status><read/></status></delivery-notification></imdn>`, ErrInvalid},
		{"oversize", open + id + strings.Repeat(" ", MaxBodySize) + `</imdn>`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) || n != nil {
				t.Fatalf("got (%+v, %v), want %v", n, err, tt.want)
			}
		})
	}
}

func TestReasonCodeAlone(t *testing.T) {
	n := &Notification{MessageID: "1", DateTime: rfcDate, Kind: KindDelivery, Status: StatusFailed, ReasonCode: 488}
	out, err := Encode(n)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := Decode(out); err != nil || back.ReasonCode != 488 {
		t.Errorf("got (%+v, %v)", back, err)
	}
}
