#!/usr/bin/env bash
# Runs Parley: bash scripts/run.sh [flags]
# Opens the desktop window in direct peer-to-peer mode (no server needed):
# your address is sip:$USER@<your IP>:5060, shown at the top with a Copy
# button. Flags are passed to the app (e.g. --listen 0.0.0.0:5062). With no
# display (DISPLAY/WAYLAND_DISPLAY unset) it runs the headless parley-cli.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install ca-certificates gcc libc6-dev pkg-config libgl1-mesa-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
ensure_go
ensure_modules
cd "$ROOT"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	echo "run.sh: no display; starting the headless client parley-cli instead (see README)" >&2
	go build -o bin/parley-cli ./cmd/parley-cli
	[ $# -gt 0 ] || set -- --listen 127.0.0.1:5060 --user "${USER:-parley}" --transport tcp
	exec bin/parley-cli "$@"
fi
echo "run.sh: building Parley (the first build compiles the GL driver: about 3 minutes)" >&2
go build -o bin/parley ./cmd/parley
exec bin/parley "$@"
