#!/bin/sh
# Put hfs-viewer in the desktop's application menu (current user; with --system, for everyone:
# run as root). Run it from the unpacked hfs-viewer folder; it links the executable into
# ~/.local/bin (or /usr/local/bin), and installs the .desktop entry and the icons.
#   ./install-desktop-entry.sh [--system]   |   ./install-desktop-entry.sh --uninstall [--system]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--uninstall" ]; then UNINSTALL=1; shift; else UNINSTALL=0; fi
if [ "${1:-}" = "--system" ]; then
  BIN=/usr/local/bin; DATA=/usr/local/share
else
  BIN="$HOME/.local/bin"; DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
if [ "$UNINSTALL" = 1 ]; then
  rm -f "$BIN/hfs-viewer" "$DATA/applications/hfs-viewer.desktop"
  find "$DATA/icons/hicolor" -name 'hfs-viewer.*' -path '*/apps/*' -delete 2>/dev/null || true
  echo "removed hfs-viewer from $BIN and $DATA"; exit 0
fi
[ -x "$HERE/hfs-viewer" ] || { echo "install-desktop-entry.sh: $HERE/hfs-viewer not found; run me from the unpacked folder" >&2; exit 1; }
mkdir -p "$BIN" "$DATA/applications"
ln -sf "$HERE/hfs-viewer" "$BIN/hfs-viewer"
sed "s|^Exec=hfs-viewer|Exec=\"$HERE/hfs-viewer\"|; s|^TryExec=hfs-viewer|TryExec=$HERE/hfs-viewer|" \
  "$HERE/share/applications/hfs-viewer.desktop" > "$DATA/applications/hfs-viewer.desktop"
cp -r "$HERE/share/icons" "$DATA/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
echo "installed: $BIN/hfs-viewer, $DATA/applications/hfs-viewer.desktop, icons in $DATA/icons/hicolor"
