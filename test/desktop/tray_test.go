package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/internal/dbustest"
)

// The tray, set up after the first frame (patches/fyne-v2.7.1-tray-after-run.patch),
// is on the session bus as a StatusNotifierItem with the app's icon and
// its menu; choosing Away in that menu reaches a watcher on the wire; and
// the app still exits cleanly on SIGTERM (without the patch the tray is
// never started, and Quit panics on its nil D-Bus connection).
func TestDesktopTrayOnTheBus(t *testing.T) {
	display := startXvfb(t)
	app := buildApp(t)
	bus := dbustest.Bus(t)
	conn := dbustest.Connect(t, bus)
	peer := clitest.Start(t, "--user", "poisson", "--transport", "tcp")

	cfg := t.TempDir()
	roster := fmt.Sprintf(`{"contacts":[{"uri":"%s;transport=tcp","name":"Simeon Poisson"}]}`, peer.AOR())
	os.WriteFile(filepath.Join(cfg, "roster.json"), []byte(roster), 0o600)
	port := clitest.FreePort(t)
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+cfg,
		"XDG_CONFIG_HOME="+filepath.Join(cfg, "xdg"), "FYNE_THEME=light", "DBUS_SESSION_BUS_ADDRESS="+bus,
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent")
	logPath := filepath.Join(cfg, "parley.log")
	parley := startApp(t, app, env, logPath, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "chebychev", "--transport", "tcp")

	item := waitTrayItem(t, conn, parley.cmd.Process.Pid)
	obj := conn.Object(item, "/StatusNotifierItem")
	if v, err := obj.GetProperty("org.kde.StatusNotifierItem.IconPixmap"); err != nil || len(fmt.Sprint(v.Value())) < 100 {
		t.Errorf("the tray item has no icon: %v %v", v, err)
	}
	labels := trayMenu(t, conn, item)
	for _, want := range []string{"Show Parley", "Available", "Away", "Appear offline"} {
		if _, ok := labels[want]; !ok {
			t.Errorf("the tray menu has no %q: %v", want, labels)
		}
	}

	// Choosing Away in the tray reaches the peer watching the app.
	me := fmt.Sprintf("sip:chebychev@127.0.0.1:%d", port)
	peer.WaitEvent(t, 30*time.Second, clitest.Match("watcher", "uri", me, "state", "active"))
	peer.Send("subscribe " + me + ";transport=tcp")
	peer.WaitEvent(t, 30*time.Second, clitest.Match("presence", "uri", me, "basic", "open"))
	from := peer.Len()
	clickUntil(t, conn, item, "Away", func(wait time.Duration) bool {
		return peer.HasEventFrom(from, wait, clitest.Match("presence", "uri", me, "activity", "away"))
	})
	// And the menu now ticks Away (it once kept Available ticked for good).
	if m := trayMenu(t, conn, item); !m["Away"].ticked || m["Available"].ticked {
		t.Errorf("after choosing Away the tray menu ticks %v", m)
	}

	parley.cmd.Process.Signal(syscall.SIGTERM)
	exited, err := parley.wait(15 * time.Second)
	if !exited {
		t.Fatal("parley did not exit after SIGTERM")
	}
	if err != nil {
		t.Errorf("parley exited with %v after SIGTERM", err)
	}
	if b, _ := os.ReadFile(logPath); strings.Contains(string(b), "panic") {
		t.Errorf("parley panicked on its way out:\n%s", b)
	}
}

// waitTrayItem waits (bounded) for the StatusNotifierItem of process pid
// on the bus and returns its name.
func waitTrayItem(t *testing.T, conn *dbus.Conn, pid int) string {
	t.Helper()
	want := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", pid)
	var names []string
	for range 300 {
		if err := conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if n == want {
				return n
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s on the session bus after 30 s: %v", want, names)
	return ""
}

// clickUntil clicks the tray menu's entry label, read afresh each time,
// until done says its effect came (bounded: 5 tries). More than one try
// is needed when the first lands on the menu the driver replaces once the
// tray is ready (the same entries under new ids): the old id is ignored.
func clickUntil(t *testing.T, conn *dbus.Conn, item, label string, done func(wait time.Duration) bool) {
	t.Helper()
	for try := range 5 {
		entry, ok := trayMenu(t, conn, item)[label]
		if !ok {
			t.Fatalf("the tray menu has no %q", label)
		}
		call := conn.Object(item, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.Event", 0,
			entry.id, "clicked", dbus.MakeVariant(""), uint32(0))
		if call.Err != nil {
			t.Fatalf("clicking %s in the tray menu: %v", label, call.Err)
		}
		if done(5 * time.Second) {
			if try > 0 {
				t.Logf("clicking %s took %d tries", label, try+1)
			}
			return
		}
	}
	t.Fatalf("clicking %s in the tray menu 5 times had no effect", label)
}

// menuEntry is one entry of the tray's menu: its dbusmenu id and tick.
type menuEntry struct {
	id     int32
	ticked bool
}

// trayMenu reads the tray's menu over dbusmenu and returns its entries
// by label.
func trayMenu(t *testing.T, conn *dbus.Conn, item string) map[string]menuEntry {
	t.Helper()
	call := conn.Object(item, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.GetLayout", 0,
		int32(0), int32(-1), []string{"label", "toggle-state"})
	if call.Err != nil || len(call.Body) < 2 {
		t.Fatalf("GetLayout: %v %v", call.Err, call.Body)
	}
	labels := map[string]menuEntry{}
	var walk func(node any)
	walk = func(node any) {
		if v, ok := node.(dbus.Variant); ok {
			node = v.Value()
		}
		fields, ok := node.([]any)
		if !ok || len(fields) != 3 {
			return
		}
		id, _ := fields[0].(int32)
		if props, ok := fields[1].(map[string]dbus.Variant); ok {
			if l, ok := props["label"].Value().(string); ok {
				on := props["toggle-state"] // an integer, 1 when ticked
				labels[l] = menuEntry{id: id, ticked: on.Value() != nil && fmt.Sprint(on.Value()) == "1"}
			}
		}
		children, _ := fields[2].([]dbus.Variant)
		for _, c := range children {
			walk(c)
		}
	}
	walk(call.Body[1])
	return labels
}
