package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// autoAwayCore is the part of the core that keeps the auto-away
// threshold (account.Manager); a core without it (a bare client) has no
// such setting.
type autoAwayCore interface {
	AutoAwayAfter() time.Duration
	// SetAutoAwayAfter saves the choice and applies it at once; it
	// writes a file, so it runs off the Fyne thread.
	SetAutoAwayAfter(d time.Duration) error
}

// awayChoices are the thresholds offered, Off first.
var awayChoices = []time.Duration{0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute}

// awayLabel names a threshold in the settings.
func awayLabel(d time.Duration) string {
	switch {
	case d <= 0:
		return "Off"
	case d%time.Minute == 0:
		return itoa(int(d/time.Minute)) + " min"
	}
	return d.String()
}

// autoAwayOn tells whether the core will show the user Away by itself.
func (a *App) autoAwayOn() bool {
	c, ok := a.core.(autoAwayCore)
	return ok && c.AutoAwayAfter() > 0
}

// awaySettings is the auto-away choice for the settings dialog whose
// keys are keys, or nil when the core keeps none. A threshold given on
// the command line (--idle-away) is shown as one more choice.
func (a *App) awaySettings(keys *dialogKeys) fyne.CanvasObject {
	c, ok := a.core.(autoAwayCore)
	if !ok {
		return nil
	}
	cur := c.AutoAwayAfter()
	choices := awayChoices
	if !containsDuration(choices, cur) {
		choices = append(append([]time.Duration(nil), choices...), cur)
	}
	labels := make([]string, len(choices))
	for i, d := range choices {
		labels[i] = awayLabel(d)
	}
	sel := newKeySelect(labels, keys)
	sel.SetSelected(awayLabel(cur))
	sel.OnChanged = func(string) {
		d := choices[max(sel.SelectedIndex(), 0)]
		a.bg(func() {
			if err := c.SetAutoAwayAfter(d); err != nil {
				fyne.Do(func() {
					a.showProblemDetail("Your auto-away choice holds until Parley quits, but could not be saved.", err.Error())
				})
			}
		})
	}
	about := "After this long without using the computer (or when the screen locks), Available becomes Away, and back when you return. A status you chose is never changed."
	if a.opt.AwayUnavailable != "" {
		about = a.opt.AwayUnavailable
	}
	row := container.NewBorder(nil, nil, widget.NewLabel("Away when idle for"), nil, sel)
	return container.NewVBox(widget.NewLabelWithStyle("Away", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), row, wrapLabel(about))
}

func containsDuration(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}
