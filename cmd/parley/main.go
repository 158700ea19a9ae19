// Command parley is the Parley desktop app: a roster with live SIP
// presence, chats over SIP MESSAGE, and the user's own status. With no
// server configured it works directly peer to peer.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/app"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/assets"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/ui"
	"github.com/parley-im/parley/ui/desktop/handoff"
)

// settled is how long after the first frame the start-up burst is over:
// the subscriptions' first answers have come, on loopback or a LAN.
const settled = 5 * time.Second

// The account manager is both the UI's core and its account service.
var (
	_ ui.Core           = (*account.Manager)(nil)
	_ ui.AccountService = (*account.Manager)(nil)
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "0.0.0.0:5060", "`HOST:PORT` to listen on for SIP (UDP and TCP)")
	user := flag.String("user", defaultUser(), "your user `NAME`: your address is sip:NAME@HOST:PORT")
	name := flag.String("display-name", "", "your display `NAME`")
	transport := flag.String("transport", "tcp", "transport for outgoing requests: udp or tcp")
	watchers := flag.String("watchers", "ask", "unknown watchers: ask or allow (contacts are always allowed)")
	trace := flag.Bool("sip-trace", false, "print SIP traffic to stderr (credentials redacted)")
	verbose := flag.Bool("v", false, "debug logging")
	idleAway := flag.Duration("idle-away", account.DefaultIdleAway, "show you Away after this long without input (0: never); overrides the setting for this run")
	flag.Parse()
	var tl *timeline
	if os.Getenv("PARLEY_TIMING") != "" {
		tl = newTimeline()
	}

	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(sipclient.RedactingHandler(sipclient.QuietStackNoise(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))))
	slog.SetDefault(log)
	heapProfileAfter(9*time.Second, log)

	// First the profile's lock: a second start only hands its links over,
	// and must not read (or migrate) the files the running one owns.
	var links *handoff.Server
	if dataDir, derr := account.DataDir(); derr == nil {
		sock := handoff.SocketPath(dataDir)
		release, lerr := lockInstance(dataDir)
		if lerr != nil {
			return handOver(sock, flag.Args(), lerr)
		}
		defer release()
		links = listenLinks(sock, log)
		defer closeLinks(links)
	}
	// The history opens (SQLite, maybe a migration and an fsync) while
	// Fyne starts and the window is made: the first frame waits only for
	// the window and whichever of the two is slower.
	type opened struct {
		store *history.Store
		err   error
	}
	hist := make(chan opened, 1)
	go func() {
		store, err := openHistory()
		tl.mark("history")
		hist <- opened{store, err}
	}()
	dir, err := account.ConfigDir()
	if err != nil {
		return err
	}
	stranger := sipclient.Ask
	if *watchers == "allow" {
		stranger = sipclient.Allow
	}
	book, rerr := account.OpenBook(dir, stranger)
	tl.mark("book")
	if rerr != nil {
		log.Error("contact book", "error", rerr) // shown in the window too
	}
	opts := []sipclient.Option{sipclient.WithLogger(log), sipclient.WithBook(book),
		account.StrangerLimit(account.StrangerPerSender)}
	if *trace {
		opts = append(opts, sipclient.WithTrace(os.Stderr))
	}
	prefs, perr := account.OpenPrefs(dir)
	if perr != nil {
		log.Error("preferences", "error", perr) // shown in the window too
	}
	accounts, aerr := account.LoadAccounts(dir)
	tl.mark("prefs+accounts")
	fa := app.NewWithID(appID)
	fonts := ui.WarmFonts() // while GLFW starts and the core opens
	fa.SetIcon(assets.Icon)
	win := fa.NewWindow("Parley")
	// Not earlier: GLFW's start opens X libraries, and would wait on the
	// loader's lock behind the driver (first frame, medians of 20: 212 ms
	// without, 198 from the start of main, 184 from here).
	preloadGLDriver()
	tl.mark("fyne-app")
	h := <-hist
	store, herr := h.store, h.err
	if herr == nil {
		defer store.Close() // after the core: deferred first, runs last
	}
	accountsDir := dir
	if aerr != nil {
		log.Error("accounts", "error", aerr) // shown in the window too
		// Saving would overwrite a damaged file the user may repair.
		accountsDir = ""
	}
	core, moved, err := startCore(account.ManagerConfig{
		Direct:  sipclient.Config{ListenAddr: *listen, User: *user, DisplayName: *name, Transport: *transport},
		Options: opts, Store: store, Dir: accountsDir, Accounts: accounts,
		Passwords: account.NewVault(), Log: log, Prefs: prefs, Book: book,
	}, flagSet("listen"))
	if err != nil {
		return fmt.Errorf("cannot start SIP on %s: %w (is another program using the port? try --listen 0.0.0.0:5062)", *listen, err)
	}
	defer core.Close()
	tl.mark("core")

	if flagSet("idle-away") {
		core.OverrideAutoAwayAfter(*idleAway) // this run only; the setting stays
	}
	awayNote, stopWatching := watchDesktop(core, log)
	defer stopWatching()
	tl.mark("desktop")
	var u *ui.App
	uopt := ui.Options{Log: log, Accounts: core, Window: win, AwayUnavailable: awayNote}
	// A click comes after a notification, so after u is set.
	closeNotices := wireNotices(&uopt, func(key string) { fyne.Do(func() { u.NoticeClicked(key) }) }, log)
	defer closeNotices()
	// The subscriptions (network), the links handed over and the tray
	// follow the first frame: the tray's hidden window and D-Bus work cost
	// ~100 ms (patches/fyne-v2.7.1-tray-after-run.patch starts a tray set
	// up once the app runs).
	uopt.OnFirstFrame = func() {
		if tl != nil {
			// For scripts/measure-desktop.sh: when the first frame is painted.
			fmt.Fprintf(os.Stderr, "parley: first-frame-unix-ns=%d\n", time.Now().UnixNano())
			tl.mark("first-frame")
		}
		// From another goroutine, so that it is queued: the first frame
		// may be painted inside Show, before the loop runs, where
		// fyne.Do would run it at once, before the frame is on the screen.
		settleMemory(settled)
		go rememberGLDriver(log)
		go fyne.Do(func() {
			if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
				u.SetupTray(assets.TrayIcon) // the tray needs a session bus
			}
			tl.mark("tray")
			u.Start()
			serveLinks(links, u, flag.Args())
			tl.mark("subscribed")
			tl.print(os.Stderr)
		})
	}
	<-fonts
	tl.mark("fonts")
	u = ui.New(fa, core, book, uopt)
	tl.mark("ui")
	if rerr != nil {
		u.ShowProblem(rerr.Error())
	}
	if herr != nil {
		u.ShowProblem(herr.Error() + "; messages are kept in memory for this session")
	}
	if perr != nil {
		u.ShowProblem(perr.Error() + "; your status is not kept after Parley quits")
	}
	if moved != "" {
		u.ShowProblem(moved)
	}
	if aerr != nil {
		u.ShowProblem(aerr.Error() + "; no account is signed in, and accounts cannot be saved until the file is repaired or removed")
	}
	u.Window().Show()
	tl.mark("shown")
	quitOnSignal(fa, log)
	fa.Run()
	// No more hand-overs once the window is gone: a second start now
	// would be answered "ok" and its link lost. (Idempotent with the
	// deferred close.)
	closeLinks(links)
	return nil
}

// quitGrace is how long a clean end after SIGTERM/SIGINT may take (the
// final NOTIFYs and unsubscribes of a big roster take seconds at most).
const quitGrace = 20 * time.Second

// quitOnSignal ends the app cleanly on SIGTERM/SIGINT, so the core still
// unsubscribes and sends its watchers a final NOTIFY. If that has not
// ended the process after quitGrace, or a second signal comes, it exits
// at once: a process stuck on its way out would hold the instance lock,
// and the next start would hand its links to it.
func quitOnSignal(fa fyne.App, log *slog.Logger) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-ch
		fyne.Do(fa.Quit)
		select {
		case <-ch:
		case <-time.After(quitGrace):
		}
		log.Error("not ended after a signal; exiting now", "signal", sig)
		os.Exit(1)
	}()
}

// flagSet reports whether the user gave the flag name.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// openHistory opens the chat history and outbox under the data dir.
func openHistory() (*history.Store, error) {
	dir, err := account.DataDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("history is unavailable: %w", err)
	}
	return history.Open(context.Background(), filepath.Join(dir, "history.db"))
}

func defaultUser() string {
	for _, v := range []string{"USER", "LOGNAME"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return "parley"
}
