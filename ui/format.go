package ui

import (
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

// clock formats a message time for the chat: time of day; the day itself
// is shown by separators.
func clock(t time.Time) string { return t.Format("15:04") }

// dayLabel names the day a separator stands for.
func dayLabel(t, now time.Time) string {
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return "Today"
	case y1 == y2 && m1 == m2 && d1 == d2-1:
		return "Yesterday"
	}
	return t.Format("Monday, 2 January 2006")
}

func sameDay(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// ago says how long ago t was, for diagnostics.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Second)
	return d.String() + " ago"
}
