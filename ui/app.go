package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
	"github.com/parley-im/parley/sipclient/identity"
)

// Options tune the App.
type Options struct {
	Log *slog.Logger
	// Notify shows a desktop notification; default: Fyne's.
	Notify func(title, body string)
	// NotifyChat, when set, shows a notification that App.NoticeClicked
	// is told about with key when clicked (the freedesktop D-Bus one);
	// called off the Fyne thread. On an error, Notify is used.
	NotifyChat func(title, body, key string) error
	// Sound, when set, plays the incoming-message sound (off the Fyne
	// thread) if the user turned it on.
	Sound func()
	// OnFirstFrame, when set, is called once when the main window's first
	// frame is painted (for start-up measurements).
	OnFirstFrame func()
	// Accounts, when set, backs the account settings ("Accounts…").
	Accounts AccountService
	// AwayUnavailable, when set, is shown under the status: auto-away is
	// on but the desktop does not tell when the user is away.
	AwayUnavailable string
	// Window, when set, is the main window to build in: the caller makes
	// it early, so Fyne starts while other start-up work runs. Else New
	// makes one.
	Window fyne.Window
}

// App is the desktop interface: the main window with the roster, the chat
// window, and the dialogs. All fields are touched on the Fyne thread only.
type App struct {
	fa   fyne.App
	core Core
	book *account.Book // the contacts, blocks and watcher answers: the one copy
	opt  Options
	ctx  context.Context
	log  *slog.Logger

	win      fyne.Window
	contacts map[identity.ID]*contactState
	// savedUnread are the unread counts the last run kept, by address;
	// unreadSaved is the text last written, so only changes are saved.
	savedUnread map[string]int
	unreadSaved string
	rows        []rosterRow
	headers     []int // row indices given a header's height

	headerHeight, rowHeight float32 // roster row heights, from the templates
	list                    *rosterList
	filter                  *searchEntry
	status                  *widget.Select
	settingStatus           bool // the menu is being set to what the core did: not the user's choice
	autoAway                bool // the core shows the user Away because they are idle (away.go)
	note                    *widget.Entry
	reqBtn                  *widget.Button
	banner                  *wrappedLabel   // roster-level problems (e.g. roster not saved)
	bannerBox               *fyne.Container // the banner and its dismiss button
	bannerDetails           *failureLine    // holds the banner's raw detail, behind Details
	empty                   *wrappedLabel   // first-run hint while the roster is empty
	chats                   *chatWindow
	requests                *requestStore
	inFront                 bool
	// bg runs blocking work (database, network) off the Fyne thread; its
	// result comes back with fyne.Do. Tests run it inline.
	bg func(func())
	// now is the clock (tests set it).
	now func() time.Time
	// accts is the account settings and registration lines (accounts.go).
	accts accountUI
	// find is the search across all conversations (search.go).
	find *searchView
	// asking is the watchers waiting for an answer, the first on screen
	// (watchers.go).
	asking []identity.ID
	// askLater is the watchers whose question the user put off (Escape):
	// still pending, offered again in Privacy.
	askLater []identity.ID
	askMore  *widget.Label  // on the question on screen: how many more wait
	laterBtn *widget.Button // in the main window while askLater is not empty
	// tray is the tray icon, following status and unread (tray.go).
	tray trayUI
	// mainSize remembers the main window's size (winsize.go).
	mainSize *sizeKeeper
}

// New builds the interface for core and the user's contact book. Call
// Start to subscribe to the contacts and begin applying events.
func New(fa fyne.App, core Core, book *account.Book, opt Options) *App {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	a := &App{
		fa: fa, core: core, book: book, opt: opt, ctx: context.Background(), log: opt.Log,
		contacts: map[identity.ID]*contactState{}, requests: newRequestStore(), inFront: true,
		bg: func(f func()) { go f() }, now: time.Now,
	}
	if a.opt.Notify == nil {
		a.opt.Notify = func(title, body string) { fa.SendNotification(fyne.NewNotification(title, body)) }
	}
	a.savedUnread = a.loadUnread()
	for _, c := range book.Contacts() {
		a.addContactState(c)
	}
	a.unreadSaved = a.fa.Preferences().String(prefUnread)
	useFocusTheme(fa) // Tab must show where it is
	a.chats = newChatWindow(a)
	a.buildMainWindow()
	core.SetIMPrefs(a.imPrefs()) // the user's choices, from the last run
	fa.Lifecycle().SetOnEnteredForeground(func() { a.inFront = true })
	fa.Lifecycle().SetOnExitedForeground(func() { a.inFront = false; a.chats.toBackground(); a.saveSizes() })
	fa.Lifecycle().SetOnStopped(a.saveSizes)
	return a
}

func (a *App) addContactState(c account.Contact) *contactState {
	cs := &contactState{Contact: c, basic: sipclient.BasicUnknown}
	a.contacts[c.ID] = cs
	a.restoreUnread(cs)
	a.restoreLastSeen(cs)
	return cs
}

// saveSizes remembers the windows' sizes as they are now.
func (a *App) saveSizes() {
	a.mainSize.save()
	if a.chats.win != nil {
		a.chats.size.save()
	}
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Start starts the event pump and subscribes to every contact, off the
// Fyne thread: a thousand contacts take a moment.
func (a *App) Start() {
	var uris []string
	for _, c := range a.book.Contacts() {
		uris = append(uris, c.URI)
	}
	go a.pump(a.core.Events())
	a.bg(func() {
		for _, uri := range uris {
			if err := a.core.Subscribe(a.ctx, uri); err != nil {
				fyne.Do(func() { a.watchFailed(uri, err) })
			}
		}
	})
}

func (a *App) subscribe(uri string) {
	if err := a.core.Subscribe(a.ctx, uri); err != nil {
		a.watchFailed(uri, err)
	}
}

func (a *App) watchFailed(uri string, err error) {
	a.showProblemDetail("Could not watch "+uri+". "+failureWords(failure.Of(err), peerParty(uri)), err.Error())
}

// batchWindow is how long the pump gathers events after the first one of
// a burst: about a frame, so a burst costs one roster refresh per frame.
const batchWindow = 15 * time.Millisecond

// pump is the one goroutine that drains core events and applies them on
// the Fyne thread in batches.
func (a *App) pump(events <-chan sipclient.Event) {
	for ev := range events {
		batch := []sipclient.Event{ev}
		window := time.NewTimer(batchWindow)
	more:
		for len(batch) < 4096 {
			select {
			case e, ok := <-events:
				if !ok {
					break more
				}
				batch = append(batch, e)
			case <-window.C:
				break more
			}
		}
		window.Stop()
		fyne.DoAndWait(func() { a.applyBatch(batch) })
	}
}

func (a *App) applyBatch(batch []sipclient.Event) {
	dirty := false
	for _, ev := range batch {
		dirty = a.apply(ev) || dirty
	}
	a.chats.flush()
	if dirty {
		a.refreshRoster()
	}
}

// apply updates state for one event; it reports whether the roster changed.
func (a *App) apply(ev sipclient.Event) bool {
	switch ev := ev.(type) {
	case sipclient.PresenceChanged:
		return a.applyPresence(ev)
	case sipclient.SubscriptionChanged:
		return a.applySubscription(ev)
	case sipclient.Diagnostic:
		return a.applyDiagnostic(ev)
	case sipclient.MessageReceived:
		defer a.historyChanged(ev.Peer)
		return a.receive(ev)
	case sipclient.MissedCall:
		defer a.historyChanged(ev.Peer)
		return a.receive(missedCallMessage(ev))
	case sipclient.TypingChanged:
		a.applyTyping(ev)
	case sipclient.MessageStatus:
		a.chats.status(ev)
	case sipclient.WatcherChanged:
		a.watcherChanged(ev)
	case sipclient.RegistrationChanged:
		a.applyRegistration(ev)
	case sipclient.PublicationChanged:
		a.applyPublication(ev)
	case sipclient.PresenceStale:
		return a.applyStale(ev)
	case sipclient.OwnPresenceChanged:
		a.showAutoAway(ev)
	case sipclient.ListChanged:
		a.applyList(ev)
	case sipclient.RosterSynced:
		return a.applyRosterSynced(ev) // rostersync.go
	}
	return false
}

// userWide are the diagnostics about the user's own setup rather than a
// contact: the history file failed, the server kept no presence rules or
// sent an unreadable watcher list. They go on the main window's banner.
var userWide = map[string]bool{sipclient.WhatHistory: true, sipclient.WhatPresenceRules: true, sipclient.WhatWatcherList: true,
	sipclient.WhatRoster: true}

// applyDiagnostic shows a problem where it belongs: on the contact it is
// about, on the banner when it is about the user's own setup, else (a
// stranger's bad request) in the log only.
func (a *App) applyDiagnostic(ev sipclient.Diagnostic) bool {
	if c := a.contacts[ev.Peer]; c != nil && !ev.Peer.IsZero() {
		c.problem, c.problemDetail = diagnosticWords(ev), ev.Detail
		return true
	}
	if userWide[ev.What] {
		a.showProblemDetail(diagnosticWords(ev), ev.Detail)
	}
	a.log.Info("diagnostic", "what", ev.What, "uri", ev.URI, "detail", ev.Detail)
	return false
}

func (a *App) applyPresence(ev sipclient.PresenceChanged) bool {
	c := a.contacts[ev.Peer]
	if c == nil {
		return false
	}
	c.basic, c.activity, c.note = ev.Basic, ev.Activity, oneLine(ev.Note, noteRunes)
	c.idle, c.idleSince = ev.Idle, ev.IdleSince
	c.stale = false
	if ev.Raw != "" {
		c.raw, c.lastNotify = ev.Raw, ev.At
	}
	if ev.Basic != sipclient.BasicUnknown {
		c.problem, c.problemDetail = "", ""
		c.known = true
	}
	if !ev.LastSeen.IsZero() {
		c.lastSeen = ev.LastSeen
	}
	a.chats.presenceChanged(c)
	return true
}

func (a *App) applySubscription(ev sipclient.SubscriptionChanged) bool {
	c := a.contacts[ev.Peer]
	if c == nil {
		return false
	}
	c.subState, c.subReason, c.subCode, c.expires = ev.State, ev.Reason, ev.Code, ev.Expires
	if !ev.LastNotify.IsZero() {
		c.lastNotify = ev.LastNotify
	}
	c.problem, c.problemDetail = subscriptionProblem(ev, c.displayName()), subscriptionDetail(ev)
	seenBefore(c, ev)
	a.chats.presenceChanged(c)
	return true
}

// showProblem tells the user something went wrong, in words, on the main
// window's banner.
// ShowProblem is showProblem for callers outside the package.
func (a *App) ShowProblem(msg string) { a.showProblem(msg) }

func (a *App) showProblem(msg string) { a.showProblemDetail(msg, "") }

// showProblemDetail is showProblem with the raw detail behind Details.
func (a *App) showProblemDetail(msg, detail string) {
	a.banner.SetText(msg)
	a.bannerDetails.detail = detail
	a.bannerDetails.details.Hidden = detail == "" || detail == msg
	a.bannerDetails.details.Refresh()
	a.bannerBox.Show()
}

// bookSaved shows a contact book that could not be saved: the change
// holds for this session, and the user must know it is not on disk.
func (a *App) bookSaved(err error) {
	if err != nil {
		a.showProblemDetail("Your contacts could not be saved; the change holds until Parley quits.", err.Error())
	}
}
