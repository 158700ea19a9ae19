#!/usr/bin/env bash
# Makes the .desktop entry in a bundle built by `fyne package` open sip:
# and sips: links: Exec=parley %u and MimeType=x-scheme-handler/sip;…
# fyne v1.7.4 cannot write this itself: its MimeType comes only with
# [CanOpen], which appends %F (files) to Exec. im: is not registered:
# such a URI names no server to reach the person through.
# Usage: scripts/desktop-entry.sh dist/Parley.tar.xz   (rewritten in place)
set -euo pipefail
MIME="x-scheme-handler/sip;x-scheme-handler/sips;"

# fix_entry rewrites one .desktop file; running it twice changes nothing.
fix_entry() {
	sed -i -e 's/^Exec=\([^ ]*\).*$/Exec=\1 %u/' -e '/^MimeType=/d' "$1"
	sed -i "/^Exec=/a MimeType=$MIME" "$1"
}

tarball=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xJf "$tarball" -C "$tmp"
mapfile -t entries < <(find "$tmp" -name '*.desktop')
if [ ${#entries[@]} -eq 0 ]; then
	echo "desktop-entry: no .desktop file in $1" >&2
	exit 1
fi
for f in "${entries[@]}"; do
	fix_entry "$f"
done
(cd "$tmp" && tar cJf "$tarball.new" --owner=0 --group=0 -- *)
mv -f "$tarball.new" "$tarball"
