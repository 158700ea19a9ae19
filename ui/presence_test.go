package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/sipclient"
)

// A contact seen available whose peer then quits (the subscription is
// terminated, then fails) reads "Offline — last seen 14:05", not Unknown;
// a contact never reached reads "Unknown", with no library text in the row.
func TestOfflineLastSeenVersusUnknown(t *testing.T) {
	a, _, _ := newTestApp(t)
	now := time.Now()
	seen := time.Date(now.Year(), now.Month(), now.Day(), 14, 5, 0, 0, time.Local)
	if now.Before(seen) { // before 14:05: a time earlier today stands in
		seen = time.Date(now.Year(), now.Month(), now.Day(), 0, 5, 0, 0, time.Local)
	}
	at := seen.Format("15:04")
	a.applyBatch([]sipclient.Event{
		sipclient.SubscriptionChanged{Peer: pid(laplace), URI: laplace, State: sipclient.SubActive, Expires: 600},
		sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicOpen, At: seen, LastSeen: seen},
	})
	if !hasText(a.win, "Available") {
		t.Fatalf("roster: %q", texts(a.win))
	}
	a.applyBatch([]sipclient.Event{
		sipclient.SubscriptionChanged{Peer: pid(laplace), URI: laplace, State: sipclient.SubTerminated, Reason: "deactivated"},
		sipclient.SubscriptionChanged{Peer: pid(laplace), URI: laplace, State: sipclient.SubFailed, Reason: "dial tcp 127.0.0.1:5062: connect: connection refused"},
		sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: sipclient.BasicUnknown, At: now, LastSeen: seen},
		sipclient.SubscriptionChanged{Peer: pid(euler), URI: euler, State: sipclient.SubFailed, Reason: "dial tcp 10.0.0.9:5060: i/o timeout"},
	})
	if !hasText(a.win, "Offline — last seen "+at) {
		t.Errorf("quit contact: %q", texts(a.win))
	}
	if a.contacts[pid(euler)].statusText() != "Unknown" || !hasText(a.win, "Unknown") {
		t.Errorf("never reached: %q", texts(a.win))
	}
	if hasText(a.win, "dial tcp") {
		t.Errorf("library text in the roster: %q", texts(a.win))
	}
	if d := diagnosticsText(a.contacts[pid(poisson)], now); !strings.Contains(d, "Why: Parley has not yet learned") {
		t.Errorf("no reason in words for a silent contact:\n%s", d)
	}
	if d := diagnosticsText(a.contacts[pid(laplace)], now); !strings.Contains(d, "Last seen available: "+at) {
		t.Errorf("details:\n%s", d)
	}
}

// Signed off with a closed document: Offline, with when they were last
// seen if the core knows it.
func TestSignedOffReadsOffline(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(euler), URI: euler, Basic: sipclient.BasicClosed, At: time.Now()}})
	if got := a.contacts[pid(euler)].statusText(); got != "Offline" {
		t.Errorf("closed, never seen open: %q", got)
	}
	old := time.Date(2025, 3, 9, 8, 30, 0, 0, time.Local)
	if got := seenAt(old, time.Date(2026, 1, 1, 12, 0, 0, 0, time.Local)); got != "9 Mar 2025 08:30" {
		t.Errorf("seenAt another year: %q", got)
	}
}

// Every presence mark is at least 3:1 against the background of both the
// light and the dark theme.
func TestPresenceMarksReadableOnBothThemes(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		bg := theme.DefaultTheme().Color(theme.ColorNameBackground, v)
		for av := availOnline; av <= availUnknown; av++ {
			if r := contrast(dotColor(av, v), bg); r < 3 {
				t.Errorf("variant %d, mark %d: contrast %.2f", v, av, r)
			}
		}
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b interface{ RGBA() (r, g, bl, al uint32) }) float64 {
	x, y := luminance(a), luminance(b)
	if x < y {
		x, y = y, x
	}
	return (x + 0.05) / (y + 0.05)
}

func luminance(c interface{ RGBA() (r, g, b, a uint32) }) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		f := float64(v) / 0xffff
		if f <= 0.03928 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
