package imdn

import (
	"strings"

	"github.com/parley-im/parley/sipclient/cpim"
)

// Disposition is the set of notifications a sender asks for in
// imdn.Disposition-Notification.
type Disposition uint8

// Disposition values of RFC 5438 section 6.2.
const (
	PositiveDelivery Disposition = 1 << iota
	NegativeDelivery
	Display
	Processing
)

var dispositionNames = []struct {
	d    Disposition
	name string
}{
	{PositiveDelivery, "positive-delivery"},
	{NegativeDelivery, "negative-delivery"},
	{Display, "display"},
	{Processing, "processing"},
}

// ParseDisposition reads a Disposition-Notification value; case and
// spaces are forgiven, unknown values ignored.
func ParseDisposition(v string) Disposition {
	var d Disposition
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		for _, dn := range dispositionNames {
			if strings.EqualFold(item, dn.name) {
				d |= dn.d
			}
		}
	}
	return d
}

// String writes d as a Disposition-Notification value, in the order
// Linphone writes it: "positive-delivery, negative-delivery, display".
func (d Disposition) String() string {
	var names []string
	for _, dn := range dispositionNames {
		if d&dn.d != 0 {
			names = append(names, dn.name)
		}
	}
	return strings.Join(names, ", ")
}

// Request adds to m the headers that ask for notifications: the IMDN
// namespace (prefix "imdn" unless m already binds one), imdn.Message-ID
// and, when d is not empty, imdn.Disposition-Notification.
func Request(m *cpim.Message, messageID string, d Disposition) {
	m.Add(HeaderNamespace, "imdn", "Message-ID", messageID)
	if d != 0 {
		m.Add(HeaderNamespace, "imdn", "Disposition-Notification", d.String())
	}
}

// Requested reads the message ID and the notifications a received CPIM
// message asks for. Besides the RFC's namespaced headers it accepts the
// "imdn" prefix without its NS header, and Linphone's Message-ID without
// prefix.
func Requested(m *cpim.Message) (messageID string, d Disposition) {
	messageID, _ = header(m, "Message-ID")
	if v, ok := header(m, "Disposition-Notification"); ok {
		d = ParseDisposition(v)
	}
	return messageID, d
}

func header(m *cpim.Message, name string) (string, bool) {
	if v, ok := m.Get(HeaderNamespace, name); ok {
		return v, true
	}
	if _, declared := m.Namespace("imdn"); !declared {
		if v, ok := m.Lookup("imdn", name); ok {
			return v, true
		}
	}
	return m.Get(cpim.NamespaceCore, name)
}

// Wrap puts an encoded notification in a CPIM message from the notifying
// user to the original sender, as RFC 5438 section 7.1 does: with its own
// imdn.Message-ID and Content-Disposition: notification.
func Wrap(from, to cpim.Address, messageID string, notification []byte) *cpim.Message {
	m := cpim.New(from, to, ContentType, notification)
	m.Content = append(m.Content, cpim.Field{Name: "Content-Disposition", Value: ContentDisposition})
	Request(m, messageID, 0)
	return m
}
