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
	watcher := startTrayHost(t, conn)
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

	item := watcher.waitItem(t, parley.cmd.Process.Pid)
	// A host draws the item as its icon and menu arrive (they may follow
	// the registration: Fyne fills them on a goroutine of its own).
	if waitTray(t, conn, item, []string{"Show Parley", "Available", "Away", "Appear offline"}) == nil {
		t.FailNow()
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
	// And the menu comes to tick Away (it once kept Available ticked for
	// good). The NOTIFY may reach the peer before the menu is rebuilt.
	var m map[string]menuEntry
	for range 50 {
		if m = trayMenu(t, conn, item); m["Away"].ticked && !m["Available"].ticked {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !m["Away"].ticked || m["Available"].ticked {
		t.Errorf("5 s after choosing Away the tray menu ticks %v", m)
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

// trayHost plays a desktop's tray host on the test's bus: it owns
// org.kde.StatusNotifierWatcher, and items register with it once they
// are fully on the bus. Waiting for that call, not for the item's bus
// name, is what a real host does: systray takes the name before it
// exports the item's properties and menu.
type trayHost struct {
	conn       *dbus.Conn
	registered chan string // the unique bus names of registering items
}

// RegisterStatusNotifierItem is the watcher's D-Bus method.
func (h *trayHost) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	select {
	case h.registered <- string(sender):
	default:
	}
	return nil
}

func startTrayHost(t *testing.T, conn *dbus.Conn) *trayHost {
	t.Helper()
	h := &trayHost{conn: conn, registered: make(chan string, 8)}
	if err := conn.Export(h, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking org.kde.StatusNotifierWatcher: %v %v", reply, err)
	}
	return h
}

// waitItem waits (bounded) for process pid to register its tray item
// and returns the item's bus name.
func (h *trayHost) waitItem(t *testing.T, pid int) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case name := <-h.registered:
			var owner uint32
			if err := h.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, name).Store(&owner); err != nil {
				t.Fatal(err)
			}
			if int(owner) == pid {
				return name
			}
			t.Logf("a tray item of pid %d registered, not the app's (%d)", owner, pid)
		case <-deadline:
			t.Fatalf("the app (pid %d) registered no tray item in 30 s", pid)
		}
	}
}

// waitTray waits (bounded: 10 s) until the item has an icon and a menu
// with every label in want, and returns the menu. It reports what was
// missing and returns nil if they never came.
func waitTray(t *testing.T, conn *dbus.Conn, item string, want []string) map[string]menuEntry {
	t.Helper()
	var problem string
	for range 100 {
		problem = ""
		v, err := conn.Object(item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
		if err != nil || len(fmt.Sprint(v.Value())) < 100 {
			problem = fmt.Sprintf("the tray item has no icon (%v)", err)
		}
		labels, err := readTrayMenu(conn, item)
		for _, l := range want {
			if _, ok := labels[l]; !ok {
				problem += fmt.Sprintf("; the tray menu has no %q: %v %v", l, labels, err)
			}
		}
		if problem == "" {
			return labels
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("after 10 s: %s", problem)
	return nil
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
	labels, err := readTrayMenu(conn, item)
	if err != nil {
		t.Fatal(err)
	}
	return labels
}

// readTrayMenu is trayMenu for callers that wait: it returns the error.
func readTrayMenu(conn *dbus.Conn, item string) (map[string]menuEntry, error) {
	call := conn.Object(item, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.GetLayout", 0,
		int32(0), int32(-1), []string{"label", "toggle-state"})
	if call.Err != nil || len(call.Body) < 2 {
		return nil, fmt.Errorf("GetLayout: %v %v", call.Err, call.Body)
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
	return labels, nil
}
