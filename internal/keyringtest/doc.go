// Package keyringtest runs tests against a real Secret Service: it re-runs
// a test of the calling test binary inside dbus-run-session with a fresh,
// unlocked gnome-keyring whose files live in a throwaway sandbox, so the
// user's own keyring, bus and display are never touched. It also has the
// checks such tests share: tools present, the sandbox really in use,
// secrets put and read with libsecret's secret-tool (independently of
// Parley), and no file holding a secret in the clear.
package keyringtest
