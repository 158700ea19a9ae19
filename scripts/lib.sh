# Shared set-up for run.sh and test.sh: idempotent, as root on Debian 12.
# Sourced, not run.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO_WANT=1.26.0 # must match the go line of go.mod

# apt_install installs the Debian packages that are missing, and only those.
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup: installing ${missing[*]}" >&2
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

go_ok() {
	command -v go >/dev/null 2>&1 || return 1
	local v
	v=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
	[ "$(printf '%s\n%s\n' "$GO_WANT" "$v" | sort -V | head -n1)" = "$GO_WANT" ]
}

# ensure_go puts a Go toolchain >= GO_WANT on PATH: the machine's own in
# /usr/local/go, else Debian's Go fetches the toolchain module from the Go
# module proxy and installs it under /usr/local/go-$GO_WANT.
ensure_go() {
	export PATH="/usr/local/go/bin:/usr/local/go-$GO_WANT/bin:$HOME/go/bin:$PATH"
	go_ok && return 0
	apt_install golang-go ca-certificates
	local mod="golang.org/toolchain@v0.0.1-go$GO_WANT.linux-$(dpkg --print-architecture)"
	local dir
	dir=$(cd /tmp && GOFLAGS=-mod=mod GO111MODULE=on /usr/lib/go/bin/go mod download -json "$mod" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo rm -rf "/usr/local/go-$GO_WANT"
	$sudo cp -r "$dir" "/usr/local/go-$GO_WANT"
	$sudo chmod -R u+w,a+rX "/usr/local/go-$GO_WANT"
	$sudo chmod a+x "/usr/local/go-$GO_WANT"/bin/* "/usr/local/go-$GO_WANT"/pkg/tool/*/*
	go_ok || { echo "setup: could not install Go $GO_WANT" >&2; exit 1; }
}

ensure_modules() {
	(cd "$ROOT" && go mod download)
}
