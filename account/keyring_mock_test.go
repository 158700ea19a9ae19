package account

import (
	"context"
	"errors"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestVaultOnMockKeyring runs the real Vault (osKeyring backend, goroutine,
// timeout) over go-keyring's in-memory mock. MockInit replaces the
// provider for the whole test binary; nothing else here uses it.
func TestVaultOnMockKeyring(t *testing.T) {
	keyring.MockInit()
	v := NewVault()
	ctx := context.Background()
	if _, err := v.Get(ctx, "work"); !errors.Is(err, ErrNotFound) || !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("Get of a missing password: %v", err)
	}
	if err := v.Set(ctx, "work", "first"); err != nil {
		t.Fatal(err)
	}
	if err := v.Set(ctx, "work", "second"); err != nil {
		t.Fatal(err)
	}
	if err := v.Set(ctx, "home", "other"); err != nil {
		t.Fatal(err)
	}
	if p, err := v.Get(ctx, "work"); p != "second" || err != nil {
		t.Errorf("Get = %q, %v; want the replaced password", p, err)
	}
	if p, _ := keyring.Get(KeyringService, "work"); p != "second" {
		t.Errorf("stored under service %q user %q: %q", KeyringService, "work", p)
	}
	if err := v.Delete(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	if err := v.Delete(ctx, "work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v", err)
	}
	if p, err := v.Get(ctx, "home"); p != "other" || err != nil {
		t.Errorf("other account touched: %q, %v", p, err)
	}
}

func TestVaultOnFailingMockKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"))
	t.Cleanup(keyring.MockInit)
	if _, err := NewVault().Get(context.Background(), "work"); !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("Get on a locked keyring: %v", err)
	}
}
