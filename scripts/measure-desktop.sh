#!/usr/bin/env bash
# Measures the desktop app under Xvfb, the same way each time:
#   start to first painted frame, idle RSS and PSS, idle CPU over 30 s,
# with 10 and with 1,000 contacts (all watched on one parley-cli peer on
# loopback). Usage: bash scripts/measure-desktop.sh [contacts...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install xvfb xauth
ensure_go
ensure_modules # and Fyne patched, as in every build
cd "$ROOT"
go build -o bin/parley ./cmd/parley
go build -o bin/parley-cli ./cmd/parley-cli
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
Xvfb :57 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
sleep 1
mkfifo "$work/peer.in"
bin/parley-cli --listen 127.0.0.1:5390 --user peer --transport tcp --status away \
	<"$work/peer.in" >"$work/peer.out" 2>&1 &
exec 3>"$work/peer.in"

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

[ $# -gt 0 ] || set -- 10 1000
for n in "$@"; do
	cfg="$work/cfg-$n"; mkdir -p "$cfg"
	{
		printf '{"contacts":['
		for i in $(seq 1 "$n"); do
			[ "$i" -gt 1 ] && printf ','
			printf '{"uri":"sip:c%d@127.0.0.1:5390;transport=tcp","name":"Contact %d"}' "$i" "$i"
		done
		printf ']}'
	} >"$cfg/roster.json"
	start=$(date +%s%N)
	DISPLAY=:57 PARLEY_CONFIG_DIR="$cfg" PARLEY_DATA_DIR="$cfg" PARLEY_TIMING=1 FYNE_THEME=light \
		bin/parley --listen 127.0.0.1:5391 --user me --watchers allow 2>"$cfg/err" &
	pid=$!
	for _ in $(seq 1 100); do grep -q first-frame "$cfg/err" && break; sleep 0.1; done
	frame=$(sed -n 's/.*first-frame-unix-ns=\([0-9]*\).*/\1/p' "$cfg/err")
	sleep 10 # let subscriptions settle
	c0=$(ticks $pid); sleep 30; c1=$(ticks $pid)
	rss=$(awk '/^Rss:/{print $2}' /proc/$pid/smaps_rollup)
	pss=$(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup)
	printf 'contacts=%-5d first_frame_ms=%-5d rss_kb=%-7d pss_kb=%-7d idle_cpu_ms_per_30s=%d\n' \
		"$n" $(((frame - start) / 1000000)) "$rss" "$pss" $(((c1 - c0) * 1000 / hz))
	kill -TERM $pid; wait $pid 2>/dev/null || true
done
echo quit >&3
