#!/bin/sh
# Runs the keyring tests with PARLEY_REAL_KEYRING=1 inside a private D-Bus
# session holding a fresh gnome-keyring, unlocked with the password "pw".
# Installs nothing: needs the Debian packages gnome-keyring, dbus and
# libsecret-tools. Plain `go test ./test/keyring/` does the same by itself.
#
# The keyring lives in a throwaway sandbox (XDG_DATA_HOME, XDG_RUNTIME_DIR),
# never in your own ~/.local/share/keyrings, and no display is passed on,
# so no unlock dialog can pop up.
set -eu
cd "$(dirname "$0")/../.."
for tool in dbus-run-session gnome-keyring-daemon secret-tool; do
	command -v "$tool" >/dev/null || {
		echo "$tool not found: apt-get install -y gnome-keyring dbus libsecret-tools" >&2
		exit 1
	}
done
sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
mkdir -m 700 "$sandbox/data" "$sandbox/run" "$sandbox/config"
export PARLEY_KEYRING_SANDBOX="$sandbox" XDG_DATA_HOME="$sandbox/data" \
	XDG_RUNTIME_DIR="$sandbox/run" PARLEY_CONFIG_DIR="$sandbox/config"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
dbus-run-session -- sh -c 'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; PARLEY_REAL_KEYRING=1 go test -count=1 ./test/keyring/'
