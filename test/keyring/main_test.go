// Package keyring proves account.Vault against a real Secret Service:
// gnome-keyring in a private D-Bus session started by the test itself
// (dbus-run-session), in a throwaway sandbox directory so the user's own
// keyring is never touched. It also proves the "no keyring" and "locked
// keyring" paths against real, broken setups. It needs the Debian
// packages gnome-keyring, dbus and libsecret-tools and fails, saying so,
// when they are missing. The session machinery is internal/keyringtest.
package keyring

// envChild names the scenario a child process should check.
const envChild = "PARLEY_KEYRING_CHILD"
