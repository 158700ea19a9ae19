package idle

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// lockSource is a D-Bus service that signals when the screen locks:
// what it is read from, how its current state is asked, and which
// signal says it changed.
type lockSource struct {
	name  string // for the settings: which interface it is
	conn  *dbus.Conn
	get   func() (bool, error)
	match []dbus.MatchOption
	parse func(*dbus.Signal) (locked, ok bool)
}

// watch reports the lock state now and at every change until ctx ends.
func (l *lockSource) watch(ctx context.Context, report func(bool)) error {
	ch, stop, err := signals(ctx, l.conn, l.match...)
	if err != nil {
		return fmt.Errorf("idle: %s: %w", l.name, err)
	}
	defer stop()
	locked, err := l.get()
	if err != nil {
		return fmt.Errorf("idle: %s: %w", l.name, err)
	}
	report(locked)
	for {
		select {
		case <-ctx.Done():
			return nil
		case s, open := <-ch:
			if !open {
				return nil
			}
			if v, ok := l.parse(s); ok {
				report(v)
			}
		}
	}
}

// signals delivers the signals that match, from now until stop: the bus
// is told to route them to us, and they come on the channel.
func signals(ctx context.Context, conn *dbus.Conn, match ...dbus.MatchOption) (ch <-chan *dbus.Signal, stop func(), err error) {
	if err := conn.AddMatchSignalContext(ctx, match...); err != nil {
		return nil, nil, err
	}
	c := make(chan *dbus.Signal, 16)
	conn.Signal(c)
	return c, func() { conn.RemoveSignal(c); conn.RemoveMatchSignal(match...) }, nil
}

// The freedesktop screen saver (KDE, Xfce, GNOME's older shells): its
// Active is true while the screen is blanked or locked.
const (
	ssName  = "org.freedesktop.ScreenSaver"
	ssPath  = dbus.ObjectPath("/org/freedesktop/ScreenSaver")
	ssIface = "org.freedesktop.ScreenSaver"
)

// screenSaver is the session bus's org.freedesktop.ScreenSaver, if a
// service answers there.
func screenSaver(conn *dbus.Conn) (*lockSource, error) {
	obj := conn.Object(ssName, ssPath)
	get := func() (bool, error) {
		var active bool
		err := obj.Call(ssIface+".GetActive", 0).Store(&active)
		return active, err
	}
	if _, err := get(); err != nil {
		return nil, fmt.Errorf("idle: %s: %w", ssName, err)
	}
	return &lockSource{name: ssName, conn: conn, get: get,
		match: []dbus.MatchOption{dbus.WithMatchInterface(ssIface), dbus.WithMatchMember("ActiveChanged")},
		parse: func(s *dbus.Signal) (bool, bool) {
			if s.Name != ssIface+".ActiveChanged" || len(s.Body) != 1 {
				return false, false
			}
			v, ok := s.Body[0].(bool)
			return v, ok
		}}, nil
}

// login1 (systemd-logind): the session's LockedHint, which lock screens
// set on every desktop that runs under systemd, Wayland ones included.
const (
	loginName    = "org.freedesktop.login1"
	loginPath    = dbus.ObjectPath("/org/freedesktop/login1")
	loginManager = "org.freedesktop.login1.Manager"
	loginSession = "org.freedesktop.login1.Session"
	propsIface   = "org.freedesktop.DBus.Properties"
)

// sessionLock is this session's LockedHint on conn (the system bus).
func sessionLock(conn *dbus.Conn) (*lockSource, error) {
	var path dbus.ObjectPath
	err := conn.Object(loginName, loginPath).Call(loginManager+".GetSession", 0, "auto").Store(&path)
	if err != nil {
		return nil, fmt.Errorf("idle: %s session: %w", loginName, err)
	}
	obj := conn.Object(loginName, path)
	get := func() (bool, error) {
		v, err := obj.GetProperty(loginSession + ".LockedHint")
		if err != nil {
			return false, err
		}
		b, ok := v.Value().(bool)
		if !ok {
			return false, fmt.Errorf("LockedHint is %s, not a boolean", v.Signature())
		}
		return b, nil
	}
	if _, err := get(); err != nil {
		return nil, fmt.Errorf("idle: %s LockedHint: %w", loginName, err)
	}
	return &lockSource{name: loginName + " LockedHint", conn: conn, get: get,
		match: []dbus.MatchOption{dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(propsIface),
			dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchArg(0, loginSession)},
		parse: func(s *dbus.Signal) (bool, bool) { return lockedHint(s, path, get) }}, nil
}

// lockedHint reads LockedHint from a PropertiesChanged of the session at
// path; when it is only said to have changed, it is asked for.
func lockedHint(s *dbus.Signal, path dbus.ObjectPath, get func() (bool, error)) (bool, bool) {
	if s.Path != path || s.Name != propsIface+".PropertiesChanged" || len(s.Body) < 3 {
		return false, false
	}
	if changed, ok := s.Body[1].(map[string]dbus.Variant); ok {
		if v, ok := changed["LockedHint"]; ok {
			b, ok := v.Value().(bool)
			return b, ok
		}
	}
	if gone, ok := s.Body[2].([]string); ok {
		for _, n := range gone {
			if n == "LockedHint" {
				b, err := get()
				return b, err == nil
			}
		}
	}
	return false, false
}
