#!/usr/bin/env bash
# Runs Parley: bash scripts/run.sh [flags]
# Until the desktop window lands, this is the headless client in direct
# peer-to-peer mode: type commands (help with -h), events print as JSON.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install ca-certificates
ensure_go
ensure_modules
cd "$ROOT"
go build -o bin/parley-cli ./cmd/parley-cli
if [ $# -eq 0 ]; then
	set -- --listen 127.0.0.1:5060 --user "${USER:-parley}" --transport tcp
fi
exec bin/parley-cli "$@"
