package idle

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// GNOME's idle monitor (on X11 and Wayland alike): a watch fires once the
// user has been idle for the threshold, another at their first input
// after. Nothing is polled.
const (
	mutterName  = "org.gnome.Mutter.IdleMonitor"
	mutterPath  = dbus.ObjectPath("/org/gnome/Mutter/IdleMonitor/Core")
	mutterIface = "org.gnome.Mutter.IdleMonitor"
)

// mutter is the session bus's GNOME idle monitor.
type mutter struct {
	conn *dbus.Conn
	obj  dbus.BusObject
}

// mutterMonitor is the idle monitor on conn, if GNOME offers one there.
func mutterMonitor(conn *dbus.Conn) (*mutter, error) {
	m := &mutter{conn: conn, obj: conn.Object(mutterName, mutterPath)}
	if _, err := m.idleTime(); err != nil {
		return nil, fmt.Errorf("idle: %s: %w", mutterName, err)
	}
	return m, nil
}

func (m *mutter) idleTime() (time.Duration, error) {
	var ms uint64
	err := m.obj.Call(mutterIface+".GetIdletime", 0).Store(&ms)
	return time.Duration(ms) * time.Millisecond, err
}

func (m *mutter) addWatch(method string, args ...any) (uint32, error) {
	var id uint32
	err := m.obj.Call(mutterIface+"."+method, 0, args...).Store(&id)
	return id, err
}

// watch reports the user idle (for threshold) or not, now and at every
// change, until ctx ends.
func (m *mutter) watch(ctx context.Context, threshold time.Duration, report func(State)) error {
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(mutterPath), dbus.WithMatchInterface(mutterIface),
		dbus.WithMatchMember("WatchFired")}
	ch, stop, err := signals(ctx, m.conn, match...)
	if err != nil {
		return fmt.Errorf("idle: %s: %w", mutterName, err)
	}
	defer stop()
	idleID, err := m.addWatch("AddIdleWatch", uint64(threshold.Milliseconds()))
	if err != nil {
		return fmt.Errorf("idle: %s AddIdleWatch: %w", mutterName, err)
	}
	defer m.obj.Call(mutterIface+".RemoveWatch", 0, idleID)
	now, err := m.idleTime()
	if err != nil {
		return fmt.Errorf("idle: %s: %w", mutterName, err)
	}
	var activeID uint32 // the one-shot watch of the first input, while idle
	if now >= threshold {
		if activeID, err = m.addWatch("AddUserActiveWatch"); err != nil {
			return fmt.Errorf("idle: %s AddUserActiveWatch: %w", mutterName, err)
		}
	}
	report(State{Idle: now >= threshold})
	for {
		select {
		case <-ctx.Done():
			if activeID != 0 {
				m.obj.Call(mutterIface+".RemoveWatch", 0, activeID)
			}
			return nil
		case s, open := <-ch:
			if !open {
				return nil
			}
			id, ok := firedID(s)
			switch {
			case !ok:
			case id == idleID:
				if activeID, err = m.addWatch("AddUserActiveWatch"); err != nil {
					return fmt.Errorf("idle: %s AddUserActiveWatch: %w", mutterName, err)
				}
				report(State{Idle: true})
			case id == activeID && activeID != 0:
				activeID = 0
				report(State{Idle: false})
			}
		}
	}
}

// firedID is the watch a WatchFired signal names.
func firedID(s *dbus.Signal) (uint32, bool) {
	if s.Name != mutterIface+".WatchFired" || s.Path != mutterPath || len(s.Body) != 1 {
		return 0, false
	}
	id, ok := s.Body[0].(uint32)
	return id, ok
}
