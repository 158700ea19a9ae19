package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/parley-im/parley/ui"
	"github.com/parley-im/parley/ui/desktop/notify"
)

// appID names Parley to the desktop: its .desktop entry and icon.
const appID = "im.parley.Parley"

// noticeWait bounds one notification or sound, so a stuck notification
// server or player holds nothing for long.
const noticeWait = 10 * time.Second

// wireNotices gives the UI clickable notifications over the session bus
// (clicks go to clicked) and the message sound when a player exists. It
// returns what closes the bus connection.
func wireNotices(opt *ui.Options, clicked func(key string), log *slog.Logger) (closeFn func()) {
	if s, err := notify.FindSound(); err == nil {
		opt.Sound = func() {
			ctx, cancel := context.WithTimeout(context.Background(), noticeWait)
			defer cancel()
			if err := s.Play(ctx); err != nil {
				log.Info("message sound", "error", err)
			}
		}
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return func() {} // Fyne's notifications, without a click action
	}
	n, err := notify.Connect(appID, clicked, notify.WithIcon(appID), notify.WithLogger(log))
	if err != nil {
		log.Info("clickable notifications unavailable; Fyne's instead", "error", err)
		return func() {}
	}
	opt.NotifyChat = func(title, body, key string) error {
		ctx, cancel := context.WithTimeout(context.Background(), noticeWait)
		defer cancel()
		return n.Send(ctx, notify.Note{Title: title, Body: body, Key: key})
	}
	return func() { n.Close() }
}
