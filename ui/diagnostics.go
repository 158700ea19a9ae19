package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// diagnosticsText explains a contact's presence plumbing in plain words.
func diagnosticsText(c *contactState, now time.Time) string {
	var b strings.Builder
	b.WriteString("Address: " + c.ID.String() + "\n")
	b.WriteString("Status: " + c.statusText() + "\n")
	state := string(c.subState)
	if state == "" {
		state = "not yet answered"
	}
	b.WriteString("Subscription: " + state)
	if c.subReason != "" {
		b.WriteString(" (" + c.subReason + ")")
	}
	b.WriteString("\n")
	if c.expires > 0 {
		b.WriteString("Expires in: " + itoa(c.expires) + " s (as of the last NOTIFY)\n")
	}
	b.WriteString("Last NOTIFY: " + ago(c.lastNotify, now) + "\n")
	if !c.lastSeen.IsZero() {
		b.WriteString("Last seen available: " + seenAt(c.lastSeen, now) + "\n")
	}
	if c.idle { // RPID user-input: their device says they left it
		b.WriteString(awayText(true, c.idleSince, now) + ", as their device says\n")
	}
	switch {
	case c.problem != "":
		b.WriteString("Why: " + c.problem + "\n")
	case c.availability() == availUnknown:
		b.WriteString("Why: Parley has not yet learned anything about this contact's status\n")
	}
	if c.problemDetail != "" && c.problemDetail != c.problem {
		b.WriteString("Details: " + c.problemDetail + "\n")
	}
	return b.String()
}

func (a *App) showDiagnostics(c *contactState) {
	raw := widget.NewMultiLineEntry()
	raw.SetText(c.raw)
	raw.Wrapping = fyne.TextWrapOff
	raw.Disable()
	content := container.NewBorder(wrapLabel(diagnosticsText(c, time.Now())), nil, nil, nil,
		widget.NewCard("", "Last presence document", raw))
	showClosable("Presence details — "+c.displayName(), content, fyne.NewSize(520, 420), a.win)
}
