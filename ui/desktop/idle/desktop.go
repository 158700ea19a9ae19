package idle

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Desktop is what this desktop offers to tell that the user is away:
// the X server's idle time, and the D-Bus services that signal a lock.
type Desktop struct {
	log     *slog.Logger
	x11     *X11 // nil without an X server that has MIT-SCREEN-SAVER
	locks   []*lockSource
	system  *dbus.Conn // the system bus, for login1's sleep signals; may be nil
	closers []func()
}

// Detect finds what the desktop offers: the X server named by $DISPLAY,
// org.freedesktop.ScreenSaver on the session bus, login1's session
// LockedHint on the system bus. Nothing found is not an error: Available
// then says false.
func Detect(log *slog.Logger) *Desktop {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Desktop{log: log}
	if os.Getenv("DISPLAY") != "" {
		if x, err := OpenX11(""); err == nil {
			d.x11 = x
			d.closers = append(d.closers, x.Close)
		} else {
			log.Info("no idle time from X", "error", err)
		}
	}
	if conn, err := dbus.ConnectSessionBus(); err == nil {
		d.closers = append(d.closers, func() { conn.Close() })
		d.addLock(screenSaver(conn))
	}
	if conn, err := dbus.ConnectSystemBus(); err == nil {
		d.closers = append(d.closers, func() { conn.Close() })
		d.system = conn
		d.addLock(sessionLock(conn))
	}
	return d
}

// NewDesktop is a Desktop of the given parts (tests: a private bus).
// session and system may be nil.
func NewDesktop(log *slog.Logger, x *X11, session, system *dbus.Conn) *Desktop {
	d := &Desktop{log: log, x11: x, system: system}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if session != nil {
		d.addLock(screenSaver(session))
	}
	if system != nil {
		d.addLock(sessionLock(system))
	}
	return d
}

func (d *Desktop) addLock(l *lockSource, err error) {
	if err != nil {
		d.log.Info("no lock signal", "error", err)
		return
	}
	d.locks = append(d.locks, l)
}

// Available says whether anything tells when the user is away.
func (d *Desktop) Available() bool { return d.x11 != nil || len(d.locks) > 0 }

// Sources names what is used, for the settings and the log.
func (d *Desktop) Sources() []string {
	var out []string
	if d.x11 != nil {
		out = append(out, "X11 MIT-SCREEN-SAVER")
	}
	for _, l := range d.locks {
		out = append(out, l.name)
	}
	return out
}

// Close ends the connections Detect opened.
func (d *Desktop) Close() {
	for _, c := range slices.Backward(d.closers) {
		c()
	}
	d.closers = nil
}

// Watch reports the user's state now and at every change until ctx ends,
// then closes the channel. Only the latest state waits in the channel: a
// slow reader skips states, never gets an old one last. Without any
// source the channel closes at once.
func (d *Desktop) Watch(ctx context.Context, threshold time.Duration) <-chan State {
	out := make(chan State, 1)
	m := &merge{out: out, locked: make([]bool, len(d.locks)), heard: map[int]bool{}, sources: len(d.locks)}
	var wg sync.WaitGroup
	if d.x11 != nil {
		m.sources++
		wg.Go(func() {
			err := poll(ctx, threshold, d.x11.Query, func(s State) { m.set(-1, func() { m.idle, m.saver = s.Idle, s.Locked }) })
			if err != nil {
				d.log.Warn("idle time from X stopped", "error", err)
				m.set(-1, func() {})
			}
		})
	}
	for i, l := range d.locks {
		wg.Go(func() {
			if err := l.watch(ctx, func(v bool) { m.set(i, func() { m.locked[i] = v }) }); err != nil {
				d.log.Warn("lock signal stopped", "error", err)
				m.set(i, func() {})
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// merge folds the sources' reports into one State and sends it when it
// changes, the first time once every source has spoken (or failed).
type merge struct {
	out     chan State
	mu      sync.Mutex
	sent    *State
	idle    bool
	saver   bool
	locked  []bool       // each lock source's last word
	heard   map[int]bool // the sources that spoke (-1: X11)
	sources int
}

// set applies source's report f.
func (m *merge) set(source int, f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
	m.heard[source] = true
	if len(m.heard) < m.sources {
		return
	}
	st := State{Idle: m.idle, Locked: m.saver || slices.Contains(m.locked, true)}
	if m.sent != nil && *m.sent == st {
		return
	}
	m.sent = &st
	select { // replace a state not yet read
	case <-m.out:
	default:
	}
	m.out <- st
}
