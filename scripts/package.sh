#!/usr/bin/env bash
# Builds the installable Linux bundle dist/Parley.tar.xz (binary, icon and
# a .desktop file) with Fyne's packager. Install it with:
#   tar xJf dist/Parley.tar.xz -C /tmp && sudo make -C /tmp/Parley install
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install gcc libc6-dev pkg-config libgl1-mesa-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev xz-utils
ensure_go
ensure_modules
cd "$ROOT"
# The packager reads FyneApp.toml from the source folder; the metadata
# lives at the top of the repository, so a copy (icon path adjusted) is
# put there for the run.
sed 's#"assets/icon.png"#"../../assets/icon.png"#' FyneApp.toml >cmd/parley/FyneApp.toml
trap 'rm -f cmd/parley/FyneApp.toml' EXIT
name=$(sed -n 's/^ *Name *= *"\(.*\)"/\1/p' FyneApp.toml)
id=$(sed -n 's/^ *ID *= *"\(.*\)"/\1/p' FyneApp.toml)
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
go run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux -src cmd/parley \
	-icon "$ROOT/assets/icon.png" -name "$name" -app-id "$id" -app-version "$version" -release
mkdir -p dist
mv -f "$name.tar.xz" dist/ 2>/dev/null || mv -f cmd/parley/"$name".tar.xz dist/
bash scripts/desktop-entry.sh "dist/$name.tar.xz" # sip: links: MimeType and %u
echo "dist/$name.tar.xz"
