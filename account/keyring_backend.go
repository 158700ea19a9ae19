package account

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// keyringBackend is the seam between Vault and the OS keyring; tests put
// a fake behind it.
type keyringBackend interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// osKeyring is go-keyring's provider (the Secret Service over D-Bus on
// Linux, or whatever keyring.MockInit installed).
type osKeyring struct{}

func (osKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

func (osKeyring) Get(service, user string) (string, error) {
	return keyring.Get(service, user)
}

func (osKeyring) Delete(service, user string) error {
	return keyring.Delete(service, user)
}

// classify maps a go-keyring failure to one of our sentinels, keeping the
// cause for the log. go-keyring's errors never carry the password.
func classify(err error) error {
	var sentinel error
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		sentinel = ErrNotFound
	case isLocked(err):
		sentinel = ErrKeyringLocked
	case isNoService(err):
		sentinel = ErrNoKeyring
	default:
		sentinel = ErrKeyring
	}
	return fmt.Errorf("%w (%w)", sentinel, err)
}

// D-Bus error names that mean nobody provides org.freedesktop.secrets.
var noServiceErrors = []string{
	"org.freedesktop.DBus.Error.ServiceUnknown",
	"org.freedesktop.DBus.Error.NameHasNoOwner",
	"org.freedesktop.DBus.Error.NoServer",
	"org.freedesktop.DBus.Error.Disconnected",
	"org.freedesktop.DBus.Error.Spawn.",
}

// isLocked: the service says the collection is locked, or go-keyring's
// unlock prompt was dismissed or could not be shown.
func isLocked(err error) bool {
	name, ok := dbusErrorName(err)
	if ok && (name == "org.freedesktop.Secret.Error.IsLocked" || name == "org.freedesktop.DBus.Error.UnknownObject") {
		return true
	}
	return strings.Contains(err.Error(), "failed to unlock")
}

// isNoService: no session bus (no address, nothing listening, dbus-launch
// missing) or a bus on which nobody provides the Secret Service. Every
// error go-keyring returns that is not a D-Bus reply comes from reaching
// the bus.
func isNoService(err error) bool {
	name, ok := dbusErrorName(err)
	if !ok {
		return true
	}
	for _, n := range noServiceErrors {
		if strings.HasPrefix(name, n) {
			return true
		}
	}
	return false
}

func dbusErrorName(err error) (string, bool) {
	var e dbus.Error
	if errors.As(err, &e) {
		return e.Name, true
	}
	var pe *dbus.Error
	if errors.As(err, &pe) && pe != nil {
		return pe.Name, true
	}
	return "", false
}
