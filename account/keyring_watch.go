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
	collectionLocked   = "org.freedesktop.Secret.Collection.Locked"
)

// unlockWatcher is a PasswordStore that can tell when its keyring opens.
type unlockWatcher interface {
	WatchUnlocks(ctx context.Context, opened func()) error
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
				if unlockedBy(conn, s) {
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
func unlockedBy(conn *dbus.Conn, s *dbus.Signal) bool {
	if s == nil || len(s.Body) != 1 {
		return false
	}
	path, ok := s.Body[0].(dbus.ObjectPath)
	if !ok {
		return false
	}
	v, err := conn.Object(secretsDest, path).GetProperty(collectionLocked)
	if err != nil {
		return false
	}
	locked, ok := v.Value().(bool)
	return ok && !locked
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
