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
# RSS and PSS are read 10 s (SETTLE) after the first frame.
#
# Anchors: Pidgin and Twinkle, where installed (ANCHORS=1 installs them,
# NO_ANCHORS=1 leaves them out),
# are measured in the same series, interleaved with the app (each run:
# parley, pidgin, twinkle for each contact count), on the same X server,
# window manager and session bus: first window, RSS/PSS at +10 s and, unless
# QUICK, CPU over 30 idle seconds with the window shown. first_window_ms is
# from the anchor's exec to the first viewable (mapped) window of its pid,
# found by polling "xdotool search --onlyvisible --pid" every 10 ms; the
# app's first_window_ms is measured the same way, and its first_frame_ms,
# from its fork to the first painted frame, comes after the map. Each
# anchor gets a throwaway HOME holding one account (me@127.0.0.1) and N
# contacts c<i>@127.0.0.1 in one group, and runs in a network namespace of
# its own whose only interface is loopback, so nothing it does (SRV and DNS
# lookups included) leaves 127.0.0.1; in it sipp answers 200 to every
# request on 127.0.0.1:5070, the anchor's registrar, so the account comes
# online: Pidgin lists buddies only while their account is connected (its
# "show offline buddies" is on, so all N rows are drawn), and Twinkle
# subscribes to its buddies once registered. Both then send one SUBSCRIBE
# per contact, answered 200 with no NOTIFY. per_contact is (RSS at the most
# contacts - RSS at the fewest) / (most - fewest), medians over the runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install xvfb xauth openbox xdotool wmctrl dbus iproute2
[ -n "${ANCHORS:-}" ] && apt_install pidgin twinkle sip-tester
anchors=()
[ -n "${NO_ANCHORS:-}" ] || for a in pidgin twinkle; do command -v "$a" >/dev/null && anchors+=("$a"); done
if [ ${#anchors[@]} -gt 0 ] && ! command -v sipp >/dev/null; then
	echo "anchors ${anchors[*]} skipped: they need sipp (apt-get install sip-tester)" >&2
	anchors=()
fi
ensure_go
ensure_modules # and Fyne patched, as in every build
cd "$ROOT"
go build -o bin/parley ./cmd/parley
go build -o bin/parley-cli ./cmd/parley-cli
app=${PARLEY_BIN:-bin/parley}
work=$(mktemp -d)
live=() # anchors and their registrars: Twinkle ignores SIGTERM
# (set -e holds in the trap too: each step must not fail.)
trap 'kill -9 "${live[@]}" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true
	[ -z "${bus_pid:-}" ] || kill "$bus_pid"; rm -rf "$work"' EXIT

n=57
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
for _ in $(seq 1 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
openbox >/dev/null 2>&1 &
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 |
	{ read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS='$a'; bus_pid=$p"; })"
export XDG_CURRENT_DESKTOP=measure

# free_port prints the first port from $1 on with no TCP or UDP socket on
# it, so that two runs of this script (or a test suite) do not collide.
free_port() {
	local p=$1
	while [ -n "$(ss -Htuan "sport = :$p")" ]; do p=$((p + 1)); done
	echo "$p"
}
peer_port=$(free_port 5390)
app_port=$(free_port $((peer_port + 1)))

mkfifo "$work/peer.in"
bin/parley-cli --listen 127.0.0.1:$peer_port --user peer --transport tcp --status away \
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

# rss_pss prints the RSS and PSS of process $1 in KB.
rss_pss() { awk '/^(Rss|Pss):/ {printf "%d ", $2} END {print ""}' "/proc/$1/smaps_rollup"; }

# stop ends process $1 (the app or an anchor): SIGTERM, then SIGKILL after 5 s.
# Then a quiet gap (GAP seconds, default 2): the next start must not share
# the CPU with this one's teardown (the X server freeing a 1,000-row
# window); without it the first start of each round was ~30 ms slower.
stop() {
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	sleep "${GAP:-2}"
}

# The anchors' registrar: 200 to every request (REGISTER, SUBSCRIBE,
# PUBLISH), no NOTIFY.
cat >"$work/registrar.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answer every request 200">
  <recv request="." regexp_match="true" />
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]a[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:registrar@[local_ip]:[local_port]>
Expires: 3600
Content-Length: 0

    ]]>
  </send>
</scenario>
EOF

# in_loopback runs "$@" with HOME=$1 in a network namespace whose only
# interface is loopback, next to the registrar on 127.0.0.1:5070; it
# writes the registrar's pid and the time of the exec (ns) to $1.
in_loopback() {
	local home=$1
	shift
	HOME=$home REGISTRAR=$work/registrar.xml exec unshare --net sh -c '
		ip link set lo up || exit 1
		sipp -sf "$REGISTRAR" -i 127.0.0.1 -p 5070 -t u1 -nd >/dev/null 2>&1 &
		echo $! >"$HOME/registrar.pid"
		date +%s%N >"$HOME/start"
		exec "$@"' sh "$@"
}

# pidgin_home writes a Pidgin profile to $1: one SIMPLE account
# me@127.0.0.1 through the registrar (an IP literal as proxy; no UPnP,
# NAT-PMP or STUN) and $2 buddies; Pidgin starts with: pidgin -c $1/.purple
# No tray icon: here the docklet never embeds, and Pidgin would hold the
# buddy list back 5 s waiting for it (list_visible: show it without one).
pidgin_home() {
	mkdir -p "$1/.purple"
	cat >"$1/.purple/accounts.xml" <<-EOF
		<?xml version='1.0' encoding='UTF-8' ?>
		<account version='1.0'><account>
		 <protocol>prpl-simple</protocol><name>me@127.0.0.1</name><password>x</password>
		 <settings>
		  <setting name='useproxy' type='bool'>1</setting>
		  <setting name='proxy' type='string'>127.0.0.1</setting>
		  <setting name='port' type='int'>5070</setting>
		  <setting name='udp' type='bool'>1</setting>
		  <setting name='dopublish' type='bool'>0</setting>
		 </settings>
		 <settings ui='gtk-gaim'><setting name='auto-login' type='bool'>1</setting></settings>
		</account></account>
	EOF
	cat >"$1/.purple/prefs.xml" <<-EOF
		<?xml version='1.0' encoding='UTF-8' ?>
		<pref version='1' name='/'>
		 <pref name='purple'><pref name='network'>
		  <pref name='auto_ip' type='bool' value='0'/>
		  <pref name='public_ip' type='string' value='127.0.0.1'/>
		  <pref name='map_ports' type='bool' value='0'/>
		  <pref name='stun_server' type='string' value=''/>
		  <pref name='turn_server' type='string' value=''/>
		 </pref></pref>
		 <pref name='pidgin'>
		  <pref name='blist'>
		   <pref name='show_offline_buddies' type='bool' value='1'/>
		   <pref name='list_visible' type='bool' value='1'/>
		  </pref>
		  <pref name='docklet'><pref name='show' type='string' value='never'/></pref>
		 </pref>
		</pref>
	EOF
	{
		echo "<?xml version='1.0' encoding='UTF-8' ?>"
		echo "<purple version='1.0'><blist><group name='Contacts'>"
		for i in $(seq 1 "$2"); do
			printf "<contact><buddy account='me@127.0.0.1' proto='prpl-simple'>"
			printf "<name>c%d@127.0.0.1</name><alias>Contact %d</alias></buddy></contact>\n" "$i" "$i"
		done
		echo "</group></blist></purple>"
	} >"$1/.purple/blist.xml"
}

# twinkle_home writes a Twinkle profile "me" to $1: user me@127.0.0.1,
# registrar and outbound proxy the registrar, and $2 buddies in me.bud
# (name|sip_address|subscribe, Twinkle's src/presence/buddy.cpp); Twinkle
# starts with: twinkle -f me. validate_audio_dev=no: there is no sound card
# here, and Twinkle would open a modal warning before its main window.
twinkle_home() {
	mkdir -p "$1/.twinkle"
	echo validate_audio_dev=no >"$1/.twinkle/twinkle.sys"
	cat >"$1/.twinkle/me.cfg" <<-EOF
		user_name=me
		user_domain=127.0.0.1
		registrar=127.0.0.1:5070
		register_at_startup=yes
		outbound_proxy=127.0.0.1:5070
		all_requests_to_proxy=yes
		sip_transport=udp
	EOF
	{
		echo "# name|sip_address|subscribe"
		for i in $(seq 1 "$2"); do echo "Contact $i|sip:c$i@127.0.0.1|y"; done
	} >"$1/.twinkle/me.bud"
}

# first_window prints the ms from the time in file $2 to the first
# viewable window of process $1 (10 ms polls, at most 60 s; -1 if none),
# and that window's title.
first_window() {
	local w="" t end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		w=$(xdotool search --onlyvisible --pid "$1" 2>/dev/null | head -n1) || true
		[ -n "$w" ] && break
		sleep 0.01
	done
	[ -n "$w" ] || { echo "-1 none"; return; }
	t=$(date +%s%N)
	echo "$(((t - $(cat "$2")) / 1000000)) $(xdotool getwindowname "$w" | tr ' ' '_')"
}

# measure_anchor measures anchor $1 (pidgin or twinkle) with $2 contacts.
measure_anchor() {
	local a=$1 n=$2 home pid ms title mem cpu=""
	home=$(mktemp -d "$work/$a-$n-XXXX")
	"${a}_home" "$home" "$n"
	case $a in
	pidgin) in_loopback "$home" pidgin -c "$home/.purple" >"$home/log" 2>&1 & ;;
	twinkle) in_loopback "$home" twinkle -f me --sip-port 5062 >"$home/log" 2>&1 & ;;
	esac
	pid=$!
	live+=("$pid")
	read -r ms title < <(first_window "$pid" "$home/start")
	[ -s "$home/registrar.pid" ] && live+=("$(cat "$home/registrar.pid")")
	sleep "${SETTLE:-10}"
	mem=$(rss_pss "$pid")
	[ -z "${QUICK:-}" ] && cpu=$(idle "$pid")
	# shellcheck disable=SC2086 # mem is two numbers
	printf 'anchor=%-8s contacts=%-5d first_window_ms=%-5d rss_kb=%-7d pss_kb=%-7d window=%s %s\n' \
		"$a" "$n" "$ms" $mem "$title" "$cpu"
	echo "$a $n ${mem%% *}" >>"$work/rss"
	stop "$pid"
	[ -s "$home/registrar.pid" ] && stop "$(cat "$home/registrar.pid")"
	live=()
}

# per_contact prints, for the app and each anchor, (median RSS with $2
# contacts - median RSS with $1) / ($2 - $1), in KB.
per_contact() {
	sort -k1,1 -k2,2n -k3,3n "$work/rss" | awk -v lo="$1" -v hi="$2" '
		function med(k, m) { m = c[k]; return m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2 }
		{ v[$1 " " $2, ++c[$1 " " $2]] = $3; names[$1] = 1 }
		END {
			for (a in names)
				if ((a " " lo) in c && (a " " hi) in c)
					printf "per_contact %-8s rss_kb_per_contact=%.2f (median rss_kb %d at %d contacts, %d at %d)\n",
						a, (med(a " " hi) - med(a " " lo)) / (hi - lo), med(a " " lo), lo, med(a " " hi), hi
		}' | sort
}

# One start unmeasured first, with a cache of the script's own: as on a
# user's machine after the first run, the measured starts find the GL
# driver it recorded and load it early (cmd/parley/gldriver.go).
export XDG_CACHE_HOME="$work/cache"
warm="$work/warm"; mkdir -p "$warm"
PARLEY_CONFIG_DIR="$warm" PARLEY_DATA_DIR="$warm" "$app" --listen 127.0.0.1:$app_port --user me 2>/dev/null &
for _ in $(seq 1 100); do [ -s "$XDG_CACHE_HOME/parley/gl-driver" ] && break; sleep 0.1; done
stop $!
echo "gl_driver=$(cat "$XDG_CACHE_HOME/parley/gl-driver" 2>/dev/null || echo none)"

[ $# -gt 0 ] || set -- 10 1000
for run in $(seq 1 "${RUNS:-1}"); do
for n in "$@"; do
	cfg="$work/cfg-$n-$run"; mkdir -p "$cfg"
	{
		printf '{"contacts":['
		for i in $(seq 1 "$n"); do
			[ "$i" -gt 1 ] && printf ','
			printf '{"uri":"sip:c%d@127.0.0.1:'"$peer_port"';transport=tcp","name":"Contact %d"}' "$i" "$i"
		done
		printf ']}'
	} >"$cfg/roster.json"
	start=$(date +%s%N)
	echo "$start" >"$cfg/start"
	PARLEY_CONFIG_DIR="$cfg" PARLEY_DATA_DIR="$cfg" PARLEY_TIMING=1 FYNE_THEME=light \
		"$app" --listen 127.0.0.1:$app_port --user me --watchers allow 2>"$cfg/err" &
	pid=$!
	# The anchors' measure: fork to the first viewable window (xdotool).
	read -r mapped _ < <(first_window "$pid" "$cfg/start")
	for _ in $(seq 1 100); do grep -q first-frame "$cfg/err" && break; sleep 0.1; done
	frame=$(sed -n 's/.*first-frame-unix-ns=\([0-9]*\).*/\1/p' "$cfg/err")
	sleep ${SETTLE:-10} # let subscriptions settle
	sed -n -e "s/^parley: timeline/timeline/p" -e "s/^parley: memstats/memstats/p" "$cfg/err"
	read -r rss pss < <(rss_pss "$pid")
	echo "parley $n $rss" >>"$work/rss"
	if [ -n "${QUICK:-}" ]; then
		printf 'contacts=%-5d first_frame_ms=%-5d first_window_ms=%-5d rss_kb=%-7d pss_kb=%-7d cpu_ms_first_10s=%d\n' "$n" $(((frame - start) / 1000000)) \
			"$mapped" "$rss" "$pss" $(($(ticks $pid) * 1000 / hz))
		[ -n "${SMAPS:-}" ] && smaps_top "$pid"
		stop "$pid"
		for a in "${anchors[@]}"; do measure_anchor "$a" "$n"; done
		continue
	fi
	shown=$(idle $pid)
	printf 'contacts=%-5d first_frame_ms=%-5d first_window_ms=%-5d rss_kb=%-7d pss_kb=%-7d window=shown     %s\n' \
		"$n" $(((frame - start) / 1000000)) "$mapped" "$rss" "$pss" "$shown"

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
	stop "$pid"
	for a in "${anchors[@]}"; do measure_anchor "$a" "$n"; done
done
done
echo quit >&3
[ $# -lt 2 ] || per_contact "$(printf '%s\n' "$@" | sort -n | head -n1)" "$(printf '%s\n' "$@" | sort -n | tail -n1)"
