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
	call := conn.Object(item, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.Event", 0,
		labels["Away"], "clicked", dbus.MakeVariant(""), uint32(0))
	if call.Err != nil {
		t.Fatalf("clicking Away in the tray menu: %v", call.Err)
	}
	peer.WaitEventFrom(t, from, 15*time.Second, clitest.Match("presence", "uri", me, "activity", "away"))

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

// trayMenu reads the tray's menu over dbusmenu and returns its items'
// ids by label.
func trayMenu(t *testing.T, conn *dbus.Conn, item string) map[string]int32 {
	t.Helper()
	call := conn.Object(item, "/StatusNotifierMenu").Call("com.canonical.dbusmenu.GetLayout", 0,
		int32(0), int32(-1), []string{"label"})
	if call.Err != nil || len(call.Body) < 2 {
		t.Fatalf("GetLayout: %v %v", call.Err, call.Body)
	}
	labels := map[string]int32{}
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
				labels[l] = id
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
