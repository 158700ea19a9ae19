package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

// The freedesktop Notifications service.
const (
	busName   = "org.freedesktop.Notifications"
	objPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface     = "org.freedesktop.Notifications"
	actionKey = "default" // the action a click on the notification invokes
)

// ErrClosed: the Notifier was closed.
var ErrClosed = errors.New("notify: closed")

// Note is one notification. Key says what it is about (a chat); a click
// hands it back, and a later Note with the same Key replaces this one
// instead of piling up.
type Note struct {
	Title, Body, Key string
}

// Notifier sends notifications on one D-Bus connection and reports clicks.
type Notifier struct {
	conn    *dbus.Conn
	owned   bool // the connection is ours to close
	app     string
	icon    string
	onClick func(key string)
	log     *slog.Logger
	signals chan *dbus.Signal

	mu    sync.Mutex
	keys  map[uint32]string // live notifications: id → key
	ids   map[string]uint32 // key → its live notification
	close sync.Once
}

// Option tunes a Notifier.
type Option func(*Notifier)

// WithLogger logs what the Notifier drops.
func WithLogger(l *slog.Logger) Option { return func(n *Notifier) { n.log = l } }

// WithIcon names the icon notifications show (a theme name or a path).
func WithIcon(icon string) Option { return func(n *Notifier) { n.icon = icon } }

// Connect opens a connection of its own to the session bus.
func Connect(app string, onClick func(key string), opts ...Option) (*Notifier, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("notify: session bus: %w", err)
	}
	n, err := New(conn, app, onClick, opts...)
	if err != nil {
		conn.Close()
		return nil, err
	}
	n.owned = true
	return n, nil
}

// New uses conn, which the caller keeps (and closes after Close). onClick
// runs on the Notifier's own goroutine.
func New(conn *dbus.Conn, app string, onClick func(key string), opts ...Option) (*Notifier, error) {
	n := &Notifier{conn: conn, app: app, onClick: onClick, log: slog.New(slog.DiscardHandler),
		signals: make(chan *dbus.Signal, 16), keys: map[uint32]string{}, ids: map[string]uint32{}}
	for _, o := range opts {
		o(n)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchObjectPath(objPath)); err != nil {
		return nil, fmt.Errorf("notify: listen for clicks: %w", err)
	}
	conn.Signal(n.signals)
	go n.listen()
	return n, nil
}

// Send shows note, replacing the one shown before with the same key.
func (n *Notifier) Send(ctx context.Context, note Note) error {
	n.mu.Lock()
	if n.keys == nil {
		n.mu.Unlock()
		return ErrClosed
	}
	replaces := n.ids[note.Key]
	n.mu.Unlock()
	hints := map[string]dbus.Variant{"category": dbus.MakeVariant("im.received")}
	if n.app != "" {
		hints["desktop-entry"] = dbus.MakeVariant(n.app)
	}
	var id uint32
	call := n.conn.Object(busName, objPath).CallWithContext(ctx, iface+".Notify", 0,
		"Parley", replaces, n.icon, note.Title, escape(note.Body), []string{actionKey, "Open"}, hints, int32(-1))
	if err := call.Store(&id); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.keys != nil {
		delete(n.keys, replaces)
		n.keys[id], n.ids[note.Key] = note.Key, id
	}
	return nil
}

// escape keeps a peer's text text: servers that show body markup would
// read <b> or <a href> in a message as theirs.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// listen hands clicks to onClick and forgets closed notifications.
func (n *Notifier) listen() {
	for sig := range n.signals {
		if sig.Path != objPath || len(sig.Body) < 2 {
			continue
		}
		id, _ := sig.Body[0].(uint32)
		switch sig.Name {
		case iface + ".ActionInvoked":
			if action, _ := sig.Body[1].(string); action == actionKey {
				if key, ok := n.forget(id); ok && n.onClick != nil {
					n.onClick(key)
				}
			}
		case iface + ".NotificationClosed":
			n.forget(id)
		}
	}
}

// forget drops notification id, returning its key.
func (n *Notifier) forget(id uint32) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	key, ok := n.keys[id]
	if ok {
		delete(n.keys, id)
		if n.ids[key] == id {
			delete(n.ids, key)
		}
	}
	return key, ok
}

// Close stops listening; it closes the connection if Connect opened it.
// It is idempotent.
func (n *Notifier) Close() error {
	var err error
	n.close.Do(func() {
		n.conn.RemoveSignal(n.signals)
		n.mu.Lock()
		n.keys, n.ids = nil, nil
		n.mu.Unlock()
		if n.owned {
			err = n.conn.Close()
		}
		close(n.signals)
	})
	return err
}
