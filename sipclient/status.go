package sipclient

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/pidf"
)

// Status is the user's own availability, as offered in the status menu.
type Status string

// The statuses a user can choose.
const (
	StatusAvailable  Status = "available"
	StatusAway       Status = "away"
	StatusBusy       Status = "busy"
	StatusDND        Status = "dnd"
	StatusOnThePhone Status = "onthephone"
	StatusOffline    Status = "offline"
)

// Presence is the user's own published state: a status and a free note.
// Idle marks an Away the user did not choose: they left the desktop for
// IdleAfter, their last input at LastInput (zero: not known). Watchers
// read it as RPID user-input idle (RFC 4480 §3.4).
type Presence struct {
	Status    Status
	Note      string
	Idle      bool
	LastInput time.Time
	IdleAfter time.Duration
}

// ParseStatus accepts a status name as typed by a user or a script.
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "available", "online", "open":
		return StatusAvailable, nil
	case "away":
		return StatusAway, nil
	case "busy":
		return StatusBusy, nil
	case "dnd", "do-not-disturb":
		return StatusDND, nil
	case "onthephone", "on-the-phone", "phone":
		return StatusOnThePhone, nil
	case "offline", "invisible", "closed":
		return StatusOffline, nil
	}
	return "", fmt.Errorf("%w: %q", ErrBadStatus, s)
}

// document renders our presence as PIDF with RPID activities (RFC 4480).
// DND has no RPID activity of its own; it is "busy" with the note saying so.
func (p Presence) document(entity, contact string) *pidf.Document {
	d := &pidf.Document{Entity: entity, Basic: pidf.BasicOpen, Contact: contact, Note: p.Note,
		Tuples: []pidf.Tuple{{ID: deviceTupleID(contact)}}}
	switch p.Status {
	case StatusAway:
		d.Activities = []string{"away"}
	case StatusBusy, StatusDND:
		d.Activities = []string{"busy"}
	case StatusOnThePhone:
		d.Activities = []string{"on-the-phone"}
	case StatusOffline:
		d.Basic, d.Contact = pidf.BasicClosed, ""
	}
	if p.Idle && p.Status != StatusOffline {
		d.UserInput = pidf.UserInput{State: pidf.InputIdle, LastInput: p.LastInput, Threshold: p.IdleAfter}
	}
	if p.Status == StatusDND && d.Note == "" {
		d.Note = "Do not disturb"
	}
	return d
}

// presenceFormats are the presence body types Parley reads, in the order
// it prefers them: PIDF (RFC 3863), the legacy CPIM-PIDF, and XPIDF for
// Asterisk and older desk phones. Our SUBSCRIBEs' Accept lists them so.
const presenceFormats = pidf.ContentTypePIDF + ", " + pidf.ContentTypeCPIM + ", " + pidf.ContentTypeXPIDF

// encodeBody renders p for one watcher in the format it asked for.
func encodeBody(p Presence, entity, contact, contentType string) ([]byte, error) {
	if contentType == pidf.ContentTypeXPIDF {
		return pidf.EncodeXPIDF(p.document(entity, contact))
	}
	return pidf.Encode(p.document(entity, contact), contentType)
}

// setPresenceBody puts p in req as a presence document of contentType,
// with its Content-Type header: the body of a NOTIFY or a PUBLISH.
func setPresenceBody(req *sip.Request, p Presence, entity, contact, contentType string) error {
	body, err := encodeBody(p, entity, contact, contentType)
	if err != nil {
		return err
	}
	ct := sip.ContentTypeHeader(contentType)
	req.AppendHeader(&ct)
	req.SetBody(body)
	return nil
}

// deviceTupleID names our tuple after this device's contact: each of the
// user's devices PUBLISHes its own, and the server composes them side by
// side, which needs IDs that differ (RFC 3863 4.1.2).
func deviceTupleID(contact string) string {
	h := fnv.New32a()
	h.Write([]byte(contact)) // a hash.Hash never fails to write
	return fmt.Sprintf("t%08x", h.Sum32())
}
