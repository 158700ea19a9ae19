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
// the idle time (GNOME's idle monitor, else the X server's), and the
// D-Bus services that signal a lock.
type Desktop struct {
	log     *slog.Logger
	idle    *idleSource // nil when nothing tells the idle time
	locks   []*lockSource
	system  *dbus.Conn // the system bus, for login1's sleep signals; may be nil
	closers []func()
}

// idleSource reports the user idle for a threshold or not, now and at
// every change, until ctx ends.
type idleSource struct {
	name  string
	watch func(ctx context.Context, threshold time.Duration, report func(State)) error
}

// Detect finds what the desktop offers: GNOME's idle monitor and
// org.freedesktop.ScreenSaver on the session bus, else the X server named
// by $DISPLAY (not in a Wayland session, where X sees only its own
// clients' input), and login1's session LockedHint on the system bus.
// Nothing found is not an error: Available then says false.
func Detect(log *slog.Logger) *Desktop {
	var session, system *dbus.Conn
	var closers []func()
	if conn, err := dbus.ConnectSessionBus(); err == nil {
		session = conn
		closers = append(closers, func() { conn.Close() })
	}
	if conn, err := dbus.ConnectSystemBus(); err == nil {
		system = conn
		closers = append(closers, func() { conn.Close() })
	}
	var x *X11
	if os.Getenv("DISPLAY") != "" && os.Getenv("XDG_SESSION_TYPE") != "wayland" {
		var err error
		if x, err = OpenX11(""); err == nil {
			closers = append(closers, x.Close)
		} else if log != nil {
			log.Info("no idle time from X", "error", err)
		}
	}
	d := NewDesktop(log, x, session, system)
	d.closers = closers
	return d
}

// NewDesktop is a Desktop of the given parts (tests: a private bus); any
// may be nil. GNOME's idle monitor on session goes before x.
func NewDesktop(log *slog.Logger, x *X11, session, system *dbus.Conn) *Desktop {
	d := &Desktop{log: log, system: system}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if session != nil {
		if m, err := mutterMonitor(session); err == nil {
			d.idle = &idleSource{name: mutterName, watch: m.watch}
		}
		d.addLock(screenSaver(session))
	}
	if d.idle == nil && x != nil {
		d.idle = &idleSource{name: "X11 MIT-SCREEN-SAVER", watch: func(ctx context.Context, threshold time.Duration, report func(State)) error {
			return poll(ctx, threshold, x.Query, report)
		}}
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
func (d *Desktop) Available() bool { return d.idle != nil || len(d.locks) > 0 }

// Sources names what is used, for the settings and the log.
func (d *Desktop) Sources() []string {
	var out []string
	if d.idle != nil {
		out = append(out, d.idle.name)
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
	if d.idle != nil {
		m.sources++
		wg.Go(func() {
			err := d.idle.watch(ctx, threshold, func(s State) { m.set(-1, func() { m.idle, m.saver = s.Idle, s.Locked }) })
			if err != nil {
				d.log.Warn("idle time stopped", "source", d.idle.name, "error", err)
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
	heard   map[int]bool // the sources that spoke (-1: the idle time)
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
