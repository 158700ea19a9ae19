package account

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// The Secret Service's names on the session bus.
const (
	secretsDest        = "org.freedesktop.secrets"
	secretServiceIface = "org.freedesktop.Secret.Service"
)

// The collections go-keyring files passwords in: "login", else the
// default one.
var keyringCollections = []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login", "/org/freedesktop/secrets/aliases/default"}

// unlockWatcher is a PasswordStore that can tell when its keyring opens,
// and whether it is locked, without bringing up an unlock prompt.
type unlockWatcher interface {
	WatchUnlocks(ctx context.Context, opened func()) error
	Locked(ctx context.Context) (bool, error)
}

// Locked reports whether the collection Parley's passwords are in is
// locked. Unlike a read or delete, asking never prompts the user.
func (v *Vault) Locked(ctx context.Context) (bool, error) {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false, fmt.Errorf("account: keyring state: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	for _, path := range keyringCollections {
		if locked, err := lockedProperty(ctx, conn, path); err == nil {
			return locked, nil
		}
	}
	return false, fmt.Errorf("account: keyring state: %w", ErrNoKeyring)
}

// lockedProperty reads a collection's Locked property, bounded by ctx.
func lockedProperty(ctx context.Context, conn *dbus.Conn, path dbus.ObjectPath) (bool, error) {
	var v dbus.Variant
	err := conn.Object(secretsDest, path).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		"org.freedesktop.Secret.Collection", "Locked").Store(&v)
	if err != nil {
		return false, err
	}
	locked, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("account: Locked of %s is %v", path, v)
	}
	return locked, nil
}

// WatchUnlocks calls opened, on a goroutine of its own, each time the
// Secret Service reports a collection changed and that collection is
// unlocked, until ctx ends. It only listens on the bus and reads the
// Locked property, which never brings up an unlock prompt. It fails when
// there is no session bus.
func (v *Vault) WatchUnlocks(ctx context.Context, opened func()) error {
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		return fmt.Errorf("account: watch the keyring: %w", err)
	}
	if err := subscribeChanges(conn); err != nil {
		conn.Close()
		return fmt.Errorf("account: watch the keyring: %w", err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-signals:
				if !ok {
					return
				}
				if unlockedBy(ctx, conn, s) {
					opened()
				}
			}
		}
	}()
	return nil
}

func subscribeChanges(conn *dbus.Conn) error {
	if err := conn.Auth(nil); err != nil {
		return err
	}
	if err := conn.Hello(); err != nil {
		return err
	}
	// Locking and unlocking a collection, as adding or changing an item,
	// is announced as CollectionChanged (gnome-keyring, KeePassXC).
	return conn.AddMatchSignal(dbus.WithMatchInterface(secretServiceIface), dbus.WithMatchMember("CollectionChanged"))
}

// unlockedBy: s names a collection that is unlocked now.
func unlockedBy(ctx context.Context, conn *dbus.Conn, s *dbus.Signal) bool {
	if s == nil || len(s.Body) != 1 {
		return false
	}
	path, ok := s.Body[0].(dbus.ObjectPath)
	if !ok {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultKeyringTimeout)
	defer cancel()
	locked, err := lockedProperty(ctx, conn, path)
	return err == nil && !locked
}

// watchKeyring deletes pending entries whenever the keyring is unlocked
// during the run, if the password store can tell.
func (m *Manager) watchKeyring() {
	w, ok := m.cfg.Passwords.(unlockWatcher)
	if !ok || m.cfg.Dir == "" {
		return
	}
	if err := w.WatchUnlocks(m.ctx, m.keyringOpened); err != nil {
		m.log.Info("keyring unlocks not watched: pending deletions wait for the next start", "error", err)
	}
}
