package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// The user's notification choices, in Fyne's preferences, both off by
// default: Busy silences like Do not disturb only when asked, and the
// sound is opt-in.
const (
	prefBusySilences = "notify.busySilences"
	prefMessageSound = "notify.sound"
)

// noticeRequests is the key of notifications about message requests:
// clicking one shows the requests, there being no chat yet.
const noticeRequests = "requests"

// silenced tells whether the own status st keeps notifications and
// sounds quiet: Do not disturb always, Busy when the user said so.
func silenced(st sipclient.Status, busyToo bool) bool {
	return st == sipclient.StatusDND || (busyToo && st == sipclient.StatusBusy)
}

// silenced tells whether the user's status now asks for quiet.
func (a *App) silenced() bool {
	return silenced(a.core.Presence().Status, a.fa.Preferences().Bool(prefBusySilences))
}

// notify tells the user of something new while Parley is in the
// background, unless their status asks for quiet. key says what a click
// opens: a contact's address, or noticeRequests. The clickable D-Bus
// notification and the sound go off the Fyne thread; Fyne's notification
// is the fallback.
func (a *App) notify(title, body, key string) {
	p := a.fa.Preferences()
	if a.silenced() {
		return
	}
	send, play := a.opt.NotifyChat, a.opt.Sound
	if !p.Bool(prefMessageSound) {
		play = nil
	}
	if send == nil {
		a.opt.Notify(title, body)
	}
	if send == nil && play == nil {
		return
	}
	a.bg(func() {
		if send != nil {
			if err := send(title, body, key); err != nil {
				a.log.Info("clickable notification failed; Fyne's instead", "error", err)
				fyne.Do(func() { a.opt.Notify(title, body) })
			}
		}
		if play != nil {
			play()
		}
	})
}

// NoticeClicked opens what a clicked notification was about.
func (a *App) NoticeClicked(key string) {
	if key == noticeRequests {
		a.Raise()
		a.showRequestsIfAny()
		return
	}
	a.OpenLink(key)
}

// noticeSettings are the notification choices, for the settings dialog
// whose Enter/Escape keys are keys.
func (a *App) noticeSettings(keys *dialogKeys) fyne.CanvasObject {
	p := a.fa.Preferences()
	busy := newKeyCheck("Busy silences notifications too", keys)
	busy.SetChecked(p.Bool(prefBusySilences))
	busy.OnChanged = func(on bool) { p.SetBool(prefBusySilences, on) }
	sound := newKeyCheck("Play a sound for new messages", keys)
	sound.SetChecked(p.Bool(prefMessageSound))
	sound.OnChanged = func(on bool) { p.SetBool(prefMessageSound, on) }
	about := wrapLabel("Do not disturb silences notifications and sounds.")
	if a.opt.Sound == nil {
		sound.Disable()
		about = wrapLabel("Do not disturb silences notifications. No sound player was found: install canberra-gtk-play (or paplay) for a sound.")
	}
	return container.NewVBox(widget.NewLabelWithStyle("Notifications", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), busy, sound, about)
}
