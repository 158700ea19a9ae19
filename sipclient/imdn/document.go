package imdn

import "time"

// Content type, namespaces and the Content-Disposition of an IMDN part.
const (
	ContentType        = "message/imdn+xml"
	ContentDisposition = "notification"

	// Namespace is the XML namespace of the document.
	Namespace = "urn:ietf:params:xml:ns:imdn"
	// HeaderNamespace is the CPIM namespace of the IMDN headers.
	HeaderNamespace = "urn:ietf:params:imdn"
	// NamespaceLinphone carries Linphone's <reason code="...">, inside
	// <status> of a failed delivery.
	NamespaceLinphone = "http://www.linphone.org/xsds/imdn.xsd"
)

// MaxBodySize bounds what Decode will parse; a notification is a few
// hundred bytes.
const MaxBodySize = 64 << 10

// Kind is the notification element of a document.
type Kind string

// Notification kinds, named after their elements.
const (
	KindDelivery   Kind = "delivery-notification"
	KindDisplay    Kind = "display-notification"
	KindProcessing Kind = "processing-notification"
)

// Status is the disposition reported.
type Status string

// Statuses of RFC 5438 section 7.2.
const (
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
	StatusForbidden Status = "forbidden"
	StatusError     Status = "error"
	StatusDisplayed Status = "displayed"
	StatusProcessed Status = "processed"
	StatusStored    Status = "stored"
)

// allowed lists the statuses the schema allows in each kind.
var allowed = map[Kind][]Status{
	KindDelivery:   {StatusDelivered, StatusFailed, StatusForbidden, StatusError},
	KindDisplay:    {StatusDisplayed, StatusForbidden, StatusError},
	KindProcessing: {StatusProcessed, StatusStored, StatusForbidden, StatusError},
}

// Negative reports whether s says the message did not get where the
// notification kind is about.
func (s Status) Negative() bool {
	return s == StatusFailed || s == StatusForbidden || s == StatusError
}

// Notification is one IMDN document.
type Notification struct {
	MessageID            string    // the imdn.Message-ID (or, from Linphone, Call-ID) it is about
	DateTime             time.Time // when the original was sent; zero if absent or unreadable
	RecipientURI         string    // optional
	OriginalRecipientURI string    // optional
	Subject              string    // optional
	Kind                 Kind
	Status               Status
	Reason               string // Linphone's failure reason text, "" if none
	ReasonCode           int    // its SIP-like code, 0 if none
}
