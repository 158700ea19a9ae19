#!/usr/bin/env bash
# Measures the desktop app under Xvfb, the same way each time:
#   start to first painted frame, idle RSS and PSS, and idle CPU over 30 s
#   with the window shown, minimised, and hidden to the tray,
# with 10 and with 1,000 contacts (all watched on one parley-cli peer on
# loopback). Usage: bash scripts/measure-desktop.sh [contacts...]
# PARLEY_BIN=path measures another build of the app (e.g. one without the
# Fyne patch) the same way. QUICK=1 measures only the first frame (with the
# start-up timeline the app prints) and RSS/PSS, RUNS times (default 1) per
# contact count, interleaved; SMAPS=1 adds the mappings with the most RSS,
# PARLEY_HEAPPROFILE=file the app's Go heap profile at +9 s.
#
# The X server runs a window manager (openbox), so the window can be
# minimised (xdotool) and closed (wmctrl), and the app a session bus and a
# desktop name, so closing hides it to the tray. main_thread_wakeups is how
# often the app's main thread, which runs Fyne's loop, was switched in.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install xvfb xauth openbox xdotool wmctrl dbus
ensure_go
ensure_modules # and Fyne patched, as in every build
cd "$ROOT"
go build -o bin/parley ./cmd/parley
go build -o bin/parley-cli ./cmd/parley-cli
app=${PARLEY_BIN:-bin/parley}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -n "${bus_pid:-}" ] && kill "$bus_pid"; rm -rf "$work"' EXIT

n=57
while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
openbox >/dev/null 2>&1 &
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 |
	{ read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS='$a'; bus_pid=$p"; })"
export XDG_CURRENT_DESKTOP=measure

mkfifo "$work/peer.in"
bin/parley-cli --listen 127.0.0.1:5390 --user peer --transport tcp --status away \
	<"$work/peer.in" >"$work/peer.out" 2>&1 &
exec 3>"$work/peer.in"

ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
wakeups() { awk '/ctxt_switches/ {n += $2} END {print n}' "/proc/$1/task/$1/status"; }
hz=$(getconf CLK_TCK)

# idle prints CPU time and main thread wake-ups of process $1 over 30 s.
idle() {
	local c0 w0
	c0=$(ticks "$1") w0=$(wakeups "$1")
	sleep 30
	printf 'idle_cpu_ms_per_30s=%-5d main_thread_wakeups=%d' \
		$((($(ticks "$1") - c0) * 1000 / hz)) $(($(wakeups "$1") - w0))
}

# smaps_top prints the mappings of process $1 with the most RSS, with their
# PSS (what is shared with other processes counts in part) and the Go heap.
smaps_top() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / {name = ($6 == "" ? "[anon]" : $6)}
		/^Rss:/ {rss[name] += $2} /^Pss:/ {pss[name] += $2}
		END {for (n in rss) printf "  smaps rss_kb=%-7d pss_kb=%-7d %s\n", rss[n], pss[n], n}' \
		"/proc/$1/smaps" | sort -t= -k2 -nr | awk 'NR <= 8'
}

[ $# -gt 0 ] || set -- 10 1000
for run in $(seq 1 "${RUNS:-1}"); do
for n in "$@"; do
	cfg="$work/cfg-$n-$run"; mkdir -p "$cfg"
	{
		printf '{"contacts":['
		for i in $(seq 1 "$n"); do
			[ "$i" -gt 1 ] && printf ','
			printf '{"uri":"sip:c%d@127.0.0.1:5390;transport=tcp","name":"Contact %d"}' "$i" "$i"
		done
		printf ']}'
	} >"$cfg/roster.json"
	start=$(date +%s%N)
	PARLEY_CONFIG_DIR="$cfg" PARLEY_DATA_DIR="$cfg" PARLEY_TIMING=1 FYNE_THEME=light \
		"$app" --listen 127.0.0.1:5391 --user me --watchers allow 2>"$cfg/err" &
	pid=$!
	for _ in $(seq 1 100); do grep -q first-frame "$cfg/err" && break; sleep 0.1; done
	frame=$(sed -n 's/.*first-frame-unix-ns=\([0-9]*\).*/\1/p' "$cfg/err")
	sleep ${SETTLE:-10} # let subscriptions settle
	sed -n -e "s/^parley: timeline/timeline/p" -e "s/^parley: memstats/memstats/p" "$cfg/err"
	if [ -n "${QUICK:-}" ]; then
		printf 'contacts=%-5d first_frame_ms=%-5d rss_kb=%-7d pss_kb=%-7d cpu_ms_first_10s=%d\n' "$n" $(((frame - start) / 1000000)) \
			"$(awk '/^Rss:/{print $2}' /proc/$pid/smaps_rollup)" "$(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup)" \
			$(($(ticks $pid) * 1000 / hz))
		[ -n "${SMAPS:-}" ] && smaps_top "$pid"
		kill -TERM $pid; wait $pid 2>/dev/null || true
		continue
	fi
	shown=$(idle $pid)
	rss=$(awk '/^Rss:/{print $2}' /proc/$pid/smaps_rollup)
	pss=$(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup)
	printf 'contacts=%-5d first_frame_ms=%-5d rss_kb=%-7d pss_kb=%-7d window=shown     %s\n' \
		"$n" $(((frame - start) / 1000000)) "$rss" "$pss" "$shown"

	xdotool search --sync --name '^Parley$' windowminimize --sync
	sleep 2
	printf 'contacts=%-5d window=minimised %s\n' "$n" "$(idle $pid)"

	xdotool search --name '^Parley$' windowactivate --sync 2>/dev/null # openbox lacks _NET_ACTIVE_WINDOW until a window is active
	wmctrl -F -c Parley # the close button: the app hides to the tray
	state=hidden
	for _ in $(seq 1 50); do
		xdotool search --onlyvisible --name '^Parley$' >/dev/null || break
		sleep 0.1
	done
	xdotool search --onlyvisible --name '^Parley$' >/dev/null && state=NOT-HIDDEN
	sleep 2
	printf 'contacts=%-5d window=%-9s %s\n' "$n" "$state" "$(idle $pid)"
	kill -TERM $pid; wait $pid 2>/dev/null || true
done
done
echo quit >&3
