package idle

import (
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// fakeMutter is GNOME's idle monitor as the desktop offers it: the test
// says when the user goes idle and comes back, and it fires the watches.
type fakeMutter struct {
	conn   *dbus.Conn
	mu     sync.Mutex
	next   uint32
	idle   map[uint32]uint64 // idle watches: their interval in ms
	active map[uint32]bool   // one-shot watches of the first input
}

func (f *fakeMutter) GetIdletime() (uint64, *dbus.Error) { return 0, nil }

func (f *fakeMutter) AddIdleWatch(ms uint64) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.idle[f.next] = ms
	return f.next, nil
}

func (f *fakeMutter) AddUserActiveWatch() (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.active[f.next] = true
	return f.next, nil
}

func (f *fakeMutter) RemoveWatch(id uint32) *dbus.Error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.idle, id)
	delete(f.active, id)
	return nil
}

// goIdle fires every idle watch; input fires (and removes) the active ones.
func (f *fakeMutter) goIdle(t *testing.T) {
	f.mu.Lock()
	var ids []uint32
	for id := range f.idle {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	for _, id := range ids {
		must(t, f.conn.Emit(mutterPath, mutterIface+".WatchFired", id))
	}
}

// input fires the active watches; it reports whether there was one.
func (f *fakeMutter) input(t *testing.T) bool {
	f.mu.Lock()
	var ids []uint32
	for id := range f.active {
		ids = append(ids, id)
		delete(f.active, id)
	}
	f.mu.Unlock()
	for _, id := range ids {
		must(t, f.conn.Emit(mutterPath, mutterIface+".WatchFired", id))
	}
	return len(ids) > 0
}

// TestMutterIdleWatches: GNOME's idle monitor is used before X, is asked
// for a watch of the threshold, and its watches bring idle and back
// without any polling.
func TestMutterIdleWatches(t *testing.T) {
	desk, conn := privateBus(t)
	f := &fakeMutter{conn: desk, idle: map[uint32]uint64{}, active: map[uint32]bool{}}
	must(t, desk.Export(f, mutterPath, mutterIface))
	if r, err := desk.RequestName(mutterName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", mutterName, r, err)
	}
	d := NewDesktop(nil, nil, conn, nil)
	if got := d.Sources(); len(got) != 1 || got[0] != mutterName {
		t.Fatalf("sources %v", got)
	}
	ch := d.Watch(t.Context(), 3*time.Second)
	if s := next(t, ch); s.Idle {
		t.Fatalf("first state %+v", s)
	}
	f.mu.Lock()
	var asked []uint64
	for _, ms := range f.idle {
		asked = append(asked, ms)
	}
	f.mu.Unlock()
	if len(asked) != 1 || asked[0] != 3000 {
		t.Fatalf("idle watches %v; want one of 3000 ms", asked)
	}
	f.goIdle(t)
	if s := next(t, ch); !s.Idle {
		t.Fatalf("after the idle watch fired: %+v", s)
	}
	if !f.input(t) {
		t.Fatal("no watch of the first input while idle")
	}
	if s := next(t, ch); s.Idle {
		t.Fatalf("after input: %+v", s)
	}
}
