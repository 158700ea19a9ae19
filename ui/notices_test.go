package ui

import (
	"context"
	"errors"
	"testing"

	"github.com/parley-im/parley/sipclient"
)

func TestSilencedByStatus(t *testing.T) {
	for _, tc := range []struct {
		st      sipclient.Status
		busyToo bool
		want    bool
	}{
		{sipclient.StatusDND, false, true},
		{sipclient.StatusDND, true, true},
		{sipclient.StatusBusy, false, false},
		{sipclient.StatusBusy, true, true},
		{sipclient.StatusAvailable, true, false},
		{sipclient.StatusAway, true, false},
		{sipclient.StatusOnThePhone, true, false},
		{sipclient.StatusOffline, true, false},
	} {
		if got := silenced(tc.st, tc.busyToo); got != tc.want {
			t.Errorf("silenced(%s, busy setting %t) = %t", tc.st, tc.busyToo, got)
		}
	}
}

// noticeApp is a test app in the background whose notifications and
// sounds are recorded: clickable ones by key, Fyne's by text.
func noticeApp(t *testing.T) (*App, *fakeCore, *[]string, *[]string, *int) {
	t.Helper()
	a, core, fyneNotes := newTestApp(t)
	var keys []string
	sounds := 0
	a.opt.NotifyChat = func(title, body, key string) error { keys = append(keys, key); return nil }
	a.opt.Sound = func() { sounds++ }
	a.fa.Preferences().SetBool(prefMessageSound, true)
	a.inFront = false
	return a, core, &keys, fyneNotes, &sounds
}

func message(peer string, id int) sipclient.Event {
	return sipclient.MessageReceived{Peer: pid(peer), From: peer, Text: "hello", ID: sipclient.MessageID(id)}
}

// Do not disturb silences notifications and the sound; Busy does only
// when the setting says so.
func TestDoNotDisturbSilencesNotifications(t *testing.T) {
	a, core, keys, fyneNotes, sounds := noticeApp(t)
	a.applyBatch([]sipclient.Event{message(laplace, 1)})
	if len(*keys) != 1 || (*keys)[0] != laplace || *sounds != 1 || len(*fyneNotes) != 0 {
		t.Fatalf("available: clickable %q, Fyne's %q, sounds %d", *keys, *fyneNotes, *sounds)
	}
	core.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusDND})
	a.applyBatch([]sipclient.Event{message(laplace, 2), message("sip:stranger@127.0.0.1", 3)})
	core.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusBusy})
	a.applyBatch([]sipclient.Event{message(euler, 4)})
	if len(*keys) != 2 || *sounds != 2 {
		t.Fatalf("busy without the setting is not silent: clickable %q, sounds %d", *keys, *sounds)
	}
	a.fa.Preferences().SetBool(prefBusySilences, true)
	a.applyBatch([]sipclient.Event{message(euler, 5)})
	if len(*keys) != 2 || *sounds != 2 || len(*fyneNotes) != 0 {
		t.Errorf("silenced statuses notified: clickable %q, Fyne's %q, sounds %d", *keys, *fyneNotes, *sounds)
	}
}

// The sound is off by default.
func TestMessageSoundOffByDefault(t *testing.T) {
	a, _, keys, _, sounds := noticeApp(t)
	a.fa.Preferences().RemoveValue(prefMessageSound)
	a.applyBatch([]sipclient.Event{message(laplace, 1)})
	if len(*keys) != 1 || *sounds != 0 {
		t.Errorf("notified %q, sounds %d: want a notification and no sound", *keys, *sounds)
	}
}

// When the clickable notification fails (no notification server),
// Fyne's shows instead.
func TestNotificationFallsBackToFyne(t *testing.T) {
	a, _, _, fyneNotes, _ := noticeApp(t)
	a.opt.NotifyChat = func(string, string, string) error { return errors.New("no server") }
	a.applyBatch([]sipclient.Event{message(laplace, 1)})
	if len(*fyneNotes) != 1 || (*fyneNotes)[0] != "Message from Laplace: hello" {
		t.Errorf("Fyne's notifications: %q", *fyneNotes)
	}
}

// Clicking a message's notification opens its chat; a message request's
// shows the requests.
func TestClickedNotificationOpensChat(t *testing.T) {
	a, _, keys, _, _ := noticeApp(t)
	a.applyBatch([]sipclient.Event{message(euler, 1), message("sip:stranger@127.0.0.1", 2)})
	a.openChat(a.contacts[pid(laplace)]) // another chat in front
	a.NoticeClicked((*keys)[0])
	if a.chats.tabs.Selected() != a.chats.convs[pid(euler)].tab {
		t.Errorf("click on Euler's notification did not open his chat")
	}
	if (*keys)[1] != noticeRequests {
		t.Fatalf("a stranger's message notified with key %q", (*keys)[1])
	}
	a.NoticeClicked(noticeRequests)
	if d := topOverlay(a.win); d == nil || !onScreen(d, "sip:stranger@127.0.0.1") {
		t.Errorf("click on a request's notification did not show the requests")
	}
}

// Under Do not disturb a message does not pop the chat window up: it
// waits as unread. A chat window the user has open still shows it.
func TestDoNotDisturbKeepsChatWindowDown(t *testing.T) {
	a, core, _, _, _ := noticeApp(t)
	core.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusDND})
	a.applyBatch([]sipclient.Event{message(laplace, 1)})
	if a.chats.shown {
		t.Fatal("a message under Do not disturb popped the chat window up")
	}
	if c := a.contacts[pid(laplace)]; c == nil || c.unread != 1 {
		t.Fatalf("the message is not counted unread: %+v", c)
	}
	a.openChat(a.contacts[pid(laplace)])
	a.applyBatch([]sipclient.Event{message(laplace, 2)})
	if !a.chats.shown {
		t.Error("the chat window the user opened is not shown")
	}
	core.SetPresence(context.Background(), sipclient.Presence{Status: sipclient.StatusAvailable})
	a.chats.win.Close()
	a.applyBatch([]sipclient.Event{message(laplace, 3)})
	if !a.chats.shown {
		t.Error("available: a message did not open the chat window")
	}
}
