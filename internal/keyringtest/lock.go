package keyringtest

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

// The sandbox's login collection and the Secret Service's D-Bus names.
const (
	secretsDest    = "org.freedesktop.secrets"
	secretsPath    = dbus.ObjectPath("/org/freedesktop/secrets")
	LoginPath      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	serviceIface   = "org.freedesktop.Secret.Service"
	collectionProp = "org.freedesktop.Secret.Collection.Locked"
	// gnome-keyring's own interface for unlocking without a prompt; the
	// prompt needs a display, which the sandbox never has.
	unlockIface = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
)

// secret is the Secret Service's (oayays) secret structure.
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// Lock locks the sandbox's login keyring, as the desktop does when the
// screen locks: every later read or delete needs an unlock.
func Lock(t *testing.T) {
	t.Helper()
	conn := sessionBus(t)
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := conn.Object(secretsDest, secretsPath).Call(serviceIface+".Lock", 0, []dbus.ObjectPath{LoginPath}).Store(&locked, &prompt); err != nil {
		t.Fatalf("locking the keyring: %v", err)
	}
	if !Locked(t) {
		t.Fatal("the login keyring is still unlocked after Lock")
	}
}

// Unlock unlocks the sandbox's login keyring with its password ("pw",
// see UnlockAndRun), as the user does in the desktop's unlock dialog.
func Unlock(t *testing.T) {
	t.Helper()
	conn := sessionBus(t)
	svc := conn.Object(secretsDest, secretsPath)
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call(serviceIface+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("opening a Secret Service session: %v", err)
	}
	master := secret{Session: session, Value: []byte("pw"), ContentType: "text/plain"}
	if err := svc.Call(unlockIface+".UnlockWithMasterPassword", 0, LoginPath, master).Err; err != nil {
		t.Fatalf("unlocking the keyring: %v", err)
	}
	if Locked(t) {
		t.Fatal("the login keyring is still locked after Unlock")
	}
}

// Locked reports whether the sandbox's login keyring is locked; asking
// never prompts.
func Locked(t *testing.T) bool {
	t.Helper()
	v, err := sessionBus(t).Object(secretsDest, LoginPath).GetProperty(collectionProp)
	if err != nil {
		t.Fatalf("reading the keyring's Locked: %v", err)
	}
	locked, ok := v.Value().(bool)
	if !ok {
		t.Fatalf("Locked is %v", v)
	}
	return locked
}

// sessionBus is a private connection to the sandbox's session bus,
// closed with the test; RequireSandbox has checked it is the sandbox's.
func sessionBus(t *testing.T) *dbus.Conn {
	t.Helper()
	RequireSandbox(t)
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Auth(nil); err != nil {
		t.Fatalf("session bus auth: %v", err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatalf("session bus hello: %v", err)
	}
	return conn
}
