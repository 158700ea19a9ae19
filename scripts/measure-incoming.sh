#!/usr/bin/env bash
# Incoming MESSAGE/s over one TCP connection, sipp as the sender
# (scripts/sipp/message-flood.xml), for Parley with its in-memory store,
# Parley with a history file (WAL, synchronous=FULL: every 200 follows an
# fsync), and baresip under the same load in the same run. Each target is
# measured RUNS times (default 3); the median is printed.
#
#   scripts/measure-incoming.sh            # 20000 messages a run
#   N=50000 RUNS=5 scripts/measure-incoming.sh
#   PARLEY_CLI=path scripts/measure-incoming.sh   # another build of parley-cli
#   BASE=path scripts/measure-incoming.sh          # also another build, as base-memory/base-file
#   PROFILE=dir scripts/measure-incoming.sh       # Parley's CPU profiles, one a run, in dir
#   STORES=memory scripts/measure-incoming.sh     # only the in-memory store (or file)
#
# The machine's speed drifts between rounds on a shared VM (baresip here
# ran 8,300 to 11,700/s within one series), so the figure to compare is
# the ratio of each Parley target's rate to baresip's in the same round,
# median over the rounds; it is printed last.
#
# Rate = N / wall time of the sipp run; a run counts only if sipp reports
# every MESSAGE answered 200 (exit 0). Beside the rate, the CPU time the
# target spent per message (user + system, from /proc; it drifts with the
# machine's speed too, 68 to 134 us for one build here), and sipp's own: when sipp's is near the wall
# time per message, sipp is the limit, not the target. Needs sipp
# (sip-tester); baresip is skipped when missing. Loopback only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-20000}
RUNS=${RUNS:-3}
INFLIGHT=${INFLIGHT:-200}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
mkfifo "$WORK/stdin"
exec 9<>"$WORK/stdin"

command -v sipp >/dev/null || { echo "sipp not installed (apt-get install sip-tester)" >&2; exit 1; }
if [ -n "${PARLEY_CLI:-}" ]; then
	cp "$PARLEY_CLI" "$WORK/parley-cli"
else
	(cd "$ROOT" && go build -o "$WORK/parley-cli" ./cmd/parley-cli)
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	return 1
}

# start_target NAME PORT: starts the UAS, sets PID.
start_target() {
	local name=$1 port=$2 dir="$WORK/$1-$2"
	mkdir -p "$dir"
	case $name in
	parley-memory | parley-file | base-memory | base-file)
		local data=() cli="$WORK/parley-cli"
		[ "${name#*-}" = file ] && data=(--data "$dir")
		[ "${name%-*}" = base ] && cli="$WORK/base-cli"
		# stdin is a FIFO this script holds open (the CLI reads commands
		# from it until EOF); events go nowhere.
		PARLEY_CPUPROFILE="${PROFILE:+$PROFILE/$name-$port.prof}" \
			"$cli" --listen "127.0.0.1:$port" --user bench "${data[@]}" <"$WORK/stdin" >/dev/null 2>"$dir/stderr" &
		;;
	baresip)
		printf 'poll_method\tepoll\nsip_listen\t127.0.0.1:%s\ndns_server\t127.0.0.1:53\naudio_player\tnone\naudio_source\tnone\naudio_alert\tnone\nmodule_path\t/usr/lib/baresip/modules\nmodule_tmp\taccount.so\nmodule_app\tmenu.so\n' "$port" >"$dir/config"
		echo "<sip:bench@127.0.0.1:$port;transport=tcp>;regint=0;pubint=0" >"$dir/accounts"
		: >"$dir/contacts"
		baresip -f "$dir" </dev/null >/dev/null 2>"$dir/stderr" &
		;;
	esac
	PID=$!
	PIDS+=("$PID")
	wait_port "$port"
}

# cpu_us PID: CPU time (user + system) of PID so far, in microseconds.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000000 / hz)}' "/proc/$1/stat"; }

# syscw PID: the write system calls PID made so far.
syscw() { awk '/^syscw:/ {print $2}' "/proc/$1/io"; }

# one_run NAME: sets RESULT to the MESSAGE/s of one run, or FAIL, CPU to
# the target's and sipp's CPU microseconds per message, and WRITES to the
# target's write system calls per 100 messages.
one_run() {
	local name=$1 port sport t0 t1 dir c0 s0 w0
	port=$(free_port)
	start_target "$name" "$port"
	sport=$(free_port)
	dir="$WORK/sipp-$name-$port"
	mkdir -p "$dir"
	t0=$(date +%s.%N)
	c0=$(cpu_us "$PID") w0=$(syscw "$PID")
	# The subshell's "times" gives its children's CPU time: sipp's.
	if (cd "$dir" && sipp "127.0.0.1:$port" -sf "$ROOT/scripts/sipp/message-flood.xml" -s bench -t t1 \
		-i 127.0.0.1 -p "$sport" -m "$N" -r 1000000 -rp 1000 -l "$INFLIGHT" -nostdin -timeout 300s -timeout_error \
		-trace_err -error_file "$dir/errors.log" >"$dir/out" 2>&1 && times >"$dir/times"); then
		t1=$(date +%s.%N)
		RESULT=$(python3 -c "print(round($N/($t1-$t0)))")
		WRITES=$((($(syscw "$PID") - w0) * 100 / N))
		CPU="$((($(cpu_us "$PID") - c0) / N))/$(python3 -c "
import re,sys
u,s=[float(m)*60+float(x) for m,x in re.findall(r'(\d+)m([\d.]+)s', open('$dir/times').read().splitlines()[1])]
print(round((u+s)*1e6/$N))")"
	else
		RESULT=FAIL CPU=- WRITES=-
		tail -3 "$dir/errors.log" >&2 2>/dev/null || true
	fi
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
}

median() { python3 -c 'import sys,statistics; v=[int(x) for x in sys.argv[1:] if x!="FAIL"]; print(round(statistics.median(v)) if v else "FAIL")' "$@"; }

# STORES=memory (or file) measures only that store, for more rounds in
# the same time.
stores=(${STORES:-memory file})
targets=("${stores[@]/#/parley-}")
if [ -n "${BASE:-}" ]; then
	cp "$BASE" "$WORK/base-cli"
	targets+=("${stores[@]/#/base-}")
fi
command -v baresip >/dev/null && targets+=(baresip) || echo "baresip not installed: skipped" >&2
echo "incoming MESSAGE/s over one TCP connection, $N messages a run, $INFLIGHT in flight, $RUNS runs (nproc $(nproc))"
for r in $(seq "$RUNS"); do
	for t in "${targets[@]}"; do # interleaved, so load from elsewhere hits all alike
		one_run "$t"
		eval "res_${t//-/_}+=(\"$RESULT\")"
		eval "cpu_${t//-/_}+=(\"$CPU\")"
		eval "wr_${t//-/_}+=(\"$WRITES\")"
	done
done
for t in "${targets[@]}"; do
	eval "vals=(\"\${res_${t//-/_}[@]}\")"
	eval "cpus=(\"\${cpu_${t//-/_}[@]}\")"
	eval "wrs=(\"\${wr_${t//-/_}[@]}\")"
	printf '%-14s median %6s   runs: %-20s  cpu_us/msg (target/sipp): %s   writes/100 msgs: %s\n' \
		"$t" "$(median "${vals[@]}")" "${vals[*]}" "${cpus[*]}" "${wrs[*]}"
done
# Each round's ratio to baresip, then their median: a slow round slows
# both, so the ratio holds where the rates drift.
if [ -n "${res_baresip+x}" ]; then
	for t in "${targets[@]}"; do
		[ "$t" = baresip ] && continue
		eval "vals=(\"\${res_${t//-/_}[@]}\")"
		printf '%-14s / baresip, same round: %s\n' "$t" "$(python3 -c '
import statistics, sys
n = len(sys.argv) // 2
a, b = sys.argv[1:n + 1], sys.argv[n + 1:]
r = [int(x) / int(y) for x, y in zip(a, b) if "FAIL" not in (x, y)]
print("median %.2fx   rounds: %s" % (statistics.median(r), " ".join("%.2f" % x for x in r)) if r else "FAIL")
' "${vals[@]}" "${res_baresip[@]}")"
	done
fi
