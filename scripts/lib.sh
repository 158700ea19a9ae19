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

# ensure_modules downloads the modules of go.mod and builds with the Fyne
# we carry a patch to (ensure_patched_fyne).
ensure_modules() {
	(cd "$ROOT" && GOWORK=off go mod download)
	ensure_patched_fyne
}

# ensure_patched_fyne copies go.mod's Fyne from the module cache to
# .build/fyne, applies patches/fyne-<version>-*.patch to it, and exports
# GOWORK=.build/go.work, a workspace that replaces Fyne with that copy: every
# go command run from here on (builds, vet, staticcheck, tests and the builds
# they start) uses the patched Fyne. A plain go command without GOWORK uses
# go.mod's Fyne as it is. The copy is made again only when a patch or the
# version changes. See the README, "Carrying a patch to Fyne".
ensure_patched_fyne() {
	local ver dir stamp tmp p
	ver=$(cd "$ROOT" && GOWORK=off go list -m -f '{{.Version}}' fyne.io/fyne/v2)
	local patches=("$ROOT"/patches/fyne-"$ver"-*.patch)
	if [ ! -e "${patches[0]}" ]; then
		if compgen -G "$ROOT/patches/fyne-*.patch" >/dev/null; then
			echo "setup: patches/ has no patch for Fyne $ver: rebase patches/fyne-*.patch onto $ver, or delete them if $ver fixes the problem" >&2
			exit 1
		fi
		export GOWORK=off
		return 0
	fi
	apt_install patch
	stamp="$ver $(cat "${patches[@]}" | sha256sum | cut -d' ' -f1)"
	mkdir -p "$ROOT/.build"
	if [ "$(cat "$ROOT/.build/fyne.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -d "$ROOT/.build/fyne" ]; then
		echo "setup: patching Fyne $ver (${patches[*]##*/})" >&2
		dir=$(cd "$ROOT" && GOWORK=off go list -m -f '{{.Dir}}' fyne.io/fyne/v2)
		tmp=$(mktemp -d "$ROOT/.build/fyne.XXXXXX")
		cp -r "$dir/." "$tmp"
		chmod -R u+w "$tmp"
		for p in "${patches[@]}"; do
			patch -s -p1 -F0 --no-backup-if-mismatch -d "$tmp" <"$p" ||
				{ rm -rf "$tmp"; echo "setup: $p does not apply to Fyne $ver" >&2; exit 1; }
		done
		rm -rf "$ROOT/.build/fyne" "$ROOT/.build/fyne.stamp"
		mv "$tmp" "$ROOT/.build/fyne"
		echo "$stamp" >"$ROOT/.build/fyne.stamp"
	fi
	printf '// Written by scripts/lib.sh: Parley with Fyne %s patched by patches/.\ngo %s\n\nuse ..\n\nreplace fyne.io/fyne/v2 %s => ./fyne\n' \
		"$ver" "$GO_WANT" "$ver" >"$ROOT/.build/go.work"
	export GOWORK="$ROOT/.build/go.work"
}
