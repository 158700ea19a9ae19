package notify

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/parley-im/parley/internal/dbustest"
)

// fakeServer is a notification server exported on the private bus, as a
// desktop's would be: it records every Notify call.
type fakeServer struct {
	conn  *dbus.Conn
	mu    sync.Mutex
	calls []notifyCall
	next  uint32
}

type notifyCall struct {
	App, Icon, Summary, Body string
	Replaces                 uint32
	Actions                  []string
	Hints                    map[string]dbus.Variant
	Timeout                  int32
}

func (f *fakeServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, notifyCall{app, icon, summary, body, replaces, actions, hints, timeout})
	if replaces != 0 {
		return replaces, nil
	}
	f.next++
	return f.next, nil
}

func (f *fakeServer) last() notifyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// click is what the server sends when the user clicks notification id.
func (f *fakeServer) click(t *testing.T, id uint32) {
	t.Helper()
	if err := f.conn.Emit(objPath, iface+".ActionInvoked", id, actionKey); err != nil {
		t.Fatal(err)
	}
}

func startServer(t testing.TB, addr string) *fakeServer {
	t.Helper()
	f := &fakeServer{conn: dbustest.Connect(t, addr)}
	if err := f.conn.Export(f, objPath, iface); err != nil {
		t.Fatal(err)
	}
	if reply, err := f.conn.RequestName(busName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", busName, reply, err)
	}
	return f
}

// A notification reaches the server with an "Open" default action, the
// peer's text escaped; clicking it hands back its key (the chat), and a
// second one for the same chat replaces the first.
func TestClickOnNotificationNamesItsChat(t *testing.T) {
	addr := dbustest.Bus(t)
	srv := startServer(t, addr)
	clicks := make(chan string, 4)
	n, err := New(dbustest.Connect(t, addr), "im.parley.Parley", func(key string) { clicks <- key })
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if err := n.Send(ctx, Note{Title: "Bob", Body: "<b>hi</b> & <a href='x'>", Key: "sip:bob@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	got := srv.last()
	if got.Summary != "Bob" || got.Body != "&lt;b&gt;hi&lt;/b&gt; &amp; &lt;a href='x'&gt;" {
		t.Errorf("sent %q / %q", got.Summary, got.Body)
	}
	if !slices.Equal(got.Actions, []string{"default", "Open"}) || got.Hints["desktop-entry"].Value() != "im.parley.Parley" || got.Replaces != 0 {
		t.Errorf("actions %q, hints %v, replaces %d", got.Actions, got.Hints, got.Replaces)
	}
	if err := n.Send(ctx, Note{Title: "Carol", Body: "yo", Key: "sip:carol@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := n.Send(ctx, Note{Title: "Bob", Body: "again", Key: "sip:bob@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(); got.Replaces != 1 {
		t.Errorf("Bob's second notification replaces %d, want 1", got.Replaces)
	}

	srv.click(t, 1)
	select {
	case key := <-clicks:
		if key != "sip:bob@127.0.0.1" {
			t.Errorf("click on Bob's notification gave %q", key)
		}
	case <-ctx.Done():
		t.Fatal("the click never came back")
	}
	srv.click(t, 2)
	if key := <-clicks; key != "sip:carol@127.0.0.1" {
		t.Errorf("click on Carol's notification gave %q", key)
	}
}

// With no notification server on the bus, Send fails (the caller then
// falls back to Fyne's notification).
func TestNoServerFails(t *testing.T) {
	addr := dbustest.Bus(t)
	n, err := New(dbustest.Connect(t, addr), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Send(ctx, Note{Title: "x", Key: "k"}); err == nil {
		t.Fatal("Send with no server succeeded")
	}
	n.Close()
	if err := n.Send(ctx, Note{Title: "x"}); err != ErrClosed {
		t.Fatalf("Send after Close: %v", err)
	}
}

// Play runs the player found and fails without one.
func TestSoundPlayer(t *testing.T) {
	if err := (Sound{}).Play(context.Background()); err != ErrNoPlayer {
		t.Errorf("no player: %v", err)
	}
	s := Sound{argv: []string{"true"}}
	if err := s.Play(context.Background()); err != nil {
		t.Errorf("player true: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := FindSound(); err != ErrNoPlayer {
		t.Errorf("FindSound with an empty PATH: %v", err)
	}
}

// BenchmarkSend is one notification's round trip to a notification
// server through a dbus-daemon.
func BenchmarkSend(b *testing.B) {
	addr := dbustest.Bus(b)
	startServer(b, addr)
	n, err := New(dbustest.Connect(b, addr), "im.parley.Parley", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	ctx := context.Background()
	for b.Loop() {
		if err := n.Send(ctx, Note{Title: "Bob", Body: "hello", Key: "sip:bob@127.0.0.1"}); err != nil {
			b.Fatal(err)
		}
	}
}
