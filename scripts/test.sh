#!/usr/bin/env bash
# The whole test suite, set-up included: bash scripts/test.sh
# Installs what it needs (Debian packages, Go, Go modules), then runs
# gofmt, go vet, staticcheck, the unit tests (the SIP core under -race) and the
# integration tests against real peers on 127.0.0.1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Real peers for the interop tests: baresip, linphonec, sipp. Fyne's cgo build needs
# the X and GL headers; the desktop end-to-end test a real X server
# (Xvfb), screenshots (imagemagick) and OCR to read them (tesseract); the
# idle loop test clicks and resizes with xdotool.
apt_install git ca-certificates gcc libc6-dev pkg-config baresip linphone-cli sip-tester \
	libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth imagemagick tesseract-ocr tesseract-ocr-eng xdotool \
	kamailio kamailio-presence-modules kamailio-sqlite-modules kamailio-tls-modules \
	gnome-keyring dbus libsecret-tools
ensure_go
ensure_modules
cd "$ROOT"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== parley-cli builds without cgo"
CGO_ENABLED=0 go build -o /dev/null ./cmd/parley-cli

echo "== unit and integration tests"
# The SIP core, its codecs and the account manager race-checked; the rest
# (process-level interop tests, the UI) plainly, to keep the suite short
# on 2 cores.
go test -race -count=1 -timeout 10m ./sipclient/... ./cmd/parley-cli/... ./account/...
go test -count=1 -timeout 15m $(go list ./... | grep -v -e /sipclient -e /cmd/parley-cli -e /account)
