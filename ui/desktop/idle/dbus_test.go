package idle

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
	"github.com/parley-im/parley/internal/dbustest"
)

// privateBus runs a dbus-daemon of its own for the test and returns two
// connections to it: the desktop's side and Parley's.
func privateBus(t *testing.T) (desk, parley *dbus.Conn) {
	t.Helper()
	addr := dbustest.Bus(t)
	return dbustest.Connect(t, addr), dbustest.Connect(t, addr)
}

// fakeScreenSaver is org.freedesktop.ScreenSaver as a desktop offers it.
type fakeScreenSaver struct{ active atomic.Bool }

func (f *fakeScreenSaver) GetActive() (bool, *dbus.Error) { return f.active.Load(), nil }

// fakeLogin is login1's Manager: GetSession names the one session.
type fakeLogin struct{}

const fakeSession = dbus.ObjectPath("/org/freedesktop/login1/session/_31")

func (fakeLogin) GetSession(string) (dbus.ObjectPath, *dbus.Error) { return fakeSession, nil }

// exportDesktop puts a screen saver and a login1 with one session on conn.
func exportDesktop(t *testing.T, conn *dbus.Conn) (*fakeScreenSaver, *prop.Properties) {
	t.Helper()
	ss := &fakeScreenSaver{}
	must(t, conn.Export(ss, ssPath, ssIface))
	must(t, conn.Export(fakeLogin{}, loginPath, loginManager))
	props, err := prop.Export(conn, fakeSession, prop.Map{loginSession: {
		"LockedHint": {Value: false, Writable: true, Emit: prop.EmitTrue},
	}})
	must(t, err)
	for _, name := range []string{ssName, loginName} {
		if r, err := conn.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("owning %s: %v %v", name, r, err)
		}
	}
	return ss, props
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// next reads the next state, bounded.
func next(t *testing.T, ch <-chan State) State {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no state within 10 s")
		return State{}
	}
}

// TestLockSignals: the screen saver's ActiveChanged and the session's
// LockedHint both lock, at once, with no polling.
func TestLockSignals(t *testing.T) {
	desk, conn := privateBus(t)
	ss, props := exportDesktop(t, desk)
	d := NewDesktop(nil, nil, conn, conn)
	if !d.Available() || len(d.Sources()) != 2 {
		t.Fatalf("sources %v; want the screen saver and LockedHint", d.Sources())
	}
	ch := d.Watch(t.Context(), time.Minute)
	if s := next(t, ch); s.Away() {
		t.Fatalf("first state %+v; want present", s)
	}
	ss.active.Store(true)
	must(t, desk.Emit(ssPath, ssIface+".ActiveChanged", true))
	if s := next(t, ch); !s.Locked {
		t.Fatalf("after ActiveChanged(true): %+v", s)
	}
	ss.active.Store(false)
	must(t, desk.Emit(ssPath, ssIface+".ActiveChanged", false))
	if s := next(t, ch); s.Locked {
		t.Fatalf("after ActiveChanged(false): %+v", s)
	}
	props.SetMust(loginSession, "LockedHint", true)
	if s := next(t, ch); !s.Locked {
		t.Fatalf("after LockedHint true: %+v", s)
	}
	props.SetMust(loginSession, "LockedHint", false)
	if s := next(t, ch); s.Locked {
		t.Fatalf("after LockedHint false: %+v", s)
	}
}

// TestNothingToWatch: with no source, Available says so and Watch ends.
func TestNothingToWatch(t *testing.T) {
	_, conn := privateBus(t) // a bus where nobody offers anything
	d := NewDesktop(nil, nil, conn, conn)
	if d.Available() {
		t.Fatalf("available with %v", d.Sources())
	}
	if _, open := <-d.Watch(t.Context(), time.Minute); open {
		t.Fatal("a state without any source")
	}
}

// TestPrepareForSleep: login1's PrepareForSleep(false) is a wake-up;
// PrepareForSleep(true) (going to sleep) is not.
func TestPrepareForSleep(t *testing.T) {
	desk, conn := privateBus(t)
	exportDesktop(t, desk)
	d := NewDesktop(nil, nil, nil, conn)
	woke := make(chan struct{}, 4)
	d.Resumes(t.Context(), func() { woke <- struct{}{} })
	// The match rule is in place once a signal sent after it arrives;
	// send the pair until the wake-up is seen, bounded.
	for range 50 {
		must(t, desk.Emit(loginPath, loginManager+".PrepareForSleep", true))
		must(t, desk.Emit(loginPath, loginManager+".PrepareForSleep", false))
		select {
		case <-woke:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatal("PrepareForSleep(false) never reported")
}
