package ui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// contactState is everything the UI shows about one contact.
type contactState struct {
	account.Contact // its ID is what core events name it by
	basic           sipclient.Basic
	activity        string
	note            string
	unread          int
	typing          bool                        // the contact is composing a message to the user
	subState        sipclient.SubscriptionState // "" until the first answer
	subReason       string
	subCode         int
	expires         int
	lastNotify      time.Time
	raw             string
	problem         string // why the contact is grey, in words
	problemDetail   string // the core's text behind problem, for Presence details
	// known is set once Parley learned the contact's state (open or
	// closed); lastSeen is when they were last seen available, from the
	// core. A contact once known whose presence is lost reads Offline.
	known    bool
	lastSeen time.Time
	// idle: the contact's device says they left it (RPID user-input),
	// since idleSince (zero: not told).
	idle      bool
	idleSince time.Time
	// stale: the machine slept since the presence shown arrived; it is
	// being checked (the next PresenceChanged clears it).
	stale bool
}

// availability is a contact's state as the user reads it.
type availability int

const (
	availOnline availability = iota
	availAway
	availBusy
	availOffline
	availUnknown
)

func (c *contactState) availability() availability {
	switch {
	case c.basic == sipclient.BasicClosed:
		return availOffline
	case c.basic != sipclient.BasicOpen && c.known:
		return availOffline // signed off, or the subscription ended: not a mystery
	case c.basic != sipclient.BasicOpen:
		return availUnknown
	case c.activity == "busy" || c.activity == "on-the-phone" || c.activity == "meeting":
		return availBusy
	case c.activity == "away" || c.activity == "vacation" || c.activity == "sleeping" || c.idle:
		return availAway
	}
	return availOnline
}

// statusLine is the status in words and the note: "Away — Reading".
func (c *contactState) statusLine() string {
	if c.note == "" {
		return c.statusText()
	}
	return c.statusText() + " — " + c.note
}

// statusText is the words shown beside the dot: never colour alone. A
// presence from before the machine slept says it is being checked.
func (c *contactState) statusText() string {
	t := c.freshStatusText()
	if c.stale && c.availability() != availUnknown {
		return t + " (checking…)"
	}
	return t
}

func (c *contactState) freshStatusText() string {
	switch c.availability() {
	case availOnline:
		return "Available"
	case availAway:
		return awayText(c.idle, c.idleSince, time.Now())
	case availBusy:
		if c.activity == "on-the-phone" {
			return "On the phone"
		}
		return "Busy"
	case availOffline:
		if c.lastSeen.IsZero() {
			return "Offline"
		}
		return "Offline — last seen " + seenAt(c.lastSeen, time.Now())
	}
	return "Unknown"
}

// awayText is Away, and since when for a contact who left their device:
// "Away (idle since 14:05)".
func awayText(idle bool, since, now time.Time) string {
	switch {
	case !idle:
		return "Away"
	case since.IsZero() || since.After(now):
		return "Away (idle)"
	}
	return "Away (idle since " + seenAt(since, now) + ")"
}

// seenAt says when a contact was last seen: the time today, else the day
// and the time.
func seenAt(t, now time.Time) string {
	t = t.Local()
	if sameDay(t, now) {
		return clock(t)
	}
	if t.Year() == now.Year() {
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

func (c *contactState) displayName() string {
	if c.Name != "" {
		return c.Name
	}
	return strings.TrimPrefix(c.ID.String(), "sip:")
}

// rosterRow is one line of the roster list: a group header or a contact.
type rosterRow struct {
	group   string
	contact *contactState
}

// rosterRows sorts and filters the contacts: grouped, online first within a
// group, then by name; filter matches name, address, group or note.
func rosterRows(contacts []*contactState, filter string) []rosterRow {
	filter = strings.ToLower(strings.TrimSpace(filter))
	shown := make([]*contactState, 0, len(contacts))
	for _, c := range contacts {
		if filter == "" || matches(c, filter) {
			shown = append(shown, c)
		}
	}
	slices.SortStableFunc(shown, func(a, b *contactState) int {
		return cmp.Or(
			cmp.Compare(groupOf(a), groupOf(b)),
			cmp.Compare(a.availability(), b.availability()),
			cmp.Compare(strings.ToLower(a.displayName()), strings.ToLower(b.displayName())),
			cmp.Compare(a.ID.String(), b.ID.String()),
		)
	})
	rows := make([]rosterRow, 0, len(shown)+4)
	last := "\x00"
	for _, c := range shown {
		if g := groupOf(c); g != last {
			rows = append(rows, rosterRow{group: g})
			last = g
		}
		rows = append(rows, rosterRow{contact: c})
	}
	return rows
}

func groupOf(c *contactState) string {
	if c.Group == "" {
		return "Contacts"
	}
	return c.Group
}

func matches(c *contactState, f string) bool {
	for _, s := range []string{c.displayName(), c.ID.String(), c.Group, c.note} {
		if strings.Contains(strings.ToLower(s), f) {
			return true
		}
	}
	return false
}
