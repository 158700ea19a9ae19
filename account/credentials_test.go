package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// fakeBackend is the keyring seam: it fails with err, or blocks until
// release is closed.
type fakeBackend struct {
	err     error
	release chan struct{}
	mu      sync.Mutex
	calls   []string
}

func (f *fakeBackend) wait(op, user string) error {
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+user)
	f.mu.Unlock()
	if f.release != nil {
		<-f.release
	}
	return f.err
}

func (f *fakeBackend) Set(service, user, _ string) error { return f.wait("set "+service, user) }
func (f *fakeBackend) Get(service, user string) (string, error) {
	return "", f.wait("get "+service, user)
}
func (f *fakeBackend) Delete(service, user string) error { return f.wait("delete "+service, user) }

func vaultOn(b keyringBackend, opts ...VaultOption) *Vault {
	v := NewVault(opts...)
	v.backend = b
	return v
}

// TestVaultTimeout: a backend stuck on an unlock prompt nobody answers
// yields ErrKeyringTimeout for every operation.
func TestVaultTimeout(t *testing.T) {
	b := &fakeBackend{release: make(chan struct{})}
	t.Cleanup(func() { close(b.release) })
	v := vaultOn(b, WithKeyringTimeout(1)) // 1 ns: the blocked call cannot win
	ctx := context.Background()
	errs := []error{v.Set(ctx, "work", "pw")}
	_, err := v.Get(ctx, "work")
	errs = append(errs, err, v.Delete(ctx, "work"))
	for i, err := range errs {
		if !errors.Is(err, ErrKeyringTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("call %d: %v, want ErrKeyringTimeout", i, err)
		}
		if err != nil && !strings.Contains(err.Error(), "unlock it and try again") {
			t.Errorf("call %d: message does not say what to do: %v", i, err)
		}
	}
}

// TestVaultCanceled: the caller's cancellation is not reported as a
// keyring timeout.
func TestVaultCanceled(t *testing.T) {
	b := &fakeBackend{release: make(chan struct{})}
	t.Cleanup(func() { close(b.release) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := vaultOn(b).Get(ctx, "work")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrKeyringTimeout) {
		t.Errorf("Get with a canceled context: %v", err)
	}
}

func TestVaultDefaults(t *testing.T) {
	v := NewVault(WithKeyringTimeout(0))
	if v.timeout != DefaultKeyringTimeout {
		t.Errorf("timeout = %v, want the default", v.timeout)
	}
	b := &fakeBackend{}
	if err := vaultOn(b).Set(context.Background(), "work", "pw"); err != nil {
		t.Fatal(err)
	}
	if len(b.calls) != 1 || b.calls[0] != "set parley work" {
		t.Errorf("backend calls %q, want service parley, user work", b.calls)
	}
	if err := vaultOn(b).Set(context.Background(), "", "pw"); !errors.Is(err, ErrEmptyAccountID) {
		t.Errorf("empty ID: %v", err)
	}
	if err := vaultOn(b).Set(context.Background(), "work", ""); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("empty password: %v", err)
	}
}

// TestClassify: what go-keyring and godbus return, mapped to sentinels.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want error
	}{
		{keyring.ErrNotFound, ErrNotFound},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, ErrNoKeyring},
		{&dbus.Error{Name: "org.freedesktop.DBus.Error.NameHasNoOwner"}, ErrNoKeyring},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"}, ErrNoKeyring},
		{errors.New("dbus: couldn't determine address of session bus"), ErrNoKeyring},
		{&net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}, ErrNoKeyring},
		{&exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, ErrNoKeyring},
		{dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, ErrKeyringLocked},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, ErrKeyringLocked},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrKeyringLocked},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied"}, ErrKeyring},
	} {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			_, err := vaultOn(&fakeBackend{err: tc.err}).Get(context.Background(), "work")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.err.Error()) {
				t.Errorf("got %v, want %v wrapping the cause", err, tc.want)
			}
			if !strings.Contains(err.Error(), `"work"`) {
				t.Errorf("error does not name the account: %v", err)
			}
		})
	}
}

func TestErrorMessagesSayWhatToDo(t *testing.T) {
	for err, hint := range map[error]string{
		ErrNoKeyring:     "install and start gnome-keyring",
		ErrKeyringLocked: "unlock it",
	} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("%v lacks %q", err, hint)
		}
	}
	err := vaultOn(&fakeBackend{err: errors.New("dbus: boom")}).Set(context.Background(), "work", "pw-Zq9")
	if strings.Contains(err.Error(), "pw-Zq9") {
		t.Errorf("password in error: %v", err)
	}
}

func TestSessionVault(t *testing.T) {
	var s PasswordStore = NewSessionVault()
	ctx := context.Background()
	if _, err := s.Get(ctx, "work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get before Set: %v", err)
	}
	if err := s.Set(ctx, "work", "pw"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Get(ctx, "work"); p != "pw" || err != nil {
		t.Errorf("Get = %q, %v", p, err)
	}
	if err := s.Delete(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
	if err := s.Set(ctx, "", "pw"); !errors.Is(err, ErrEmptyAccountID) {
		t.Errorf("empty ID: %v", err)
	}
}

var _ PasswordStore = (*Vault)(nil)
