#!/usr/bin/env bash
# One-step set-up used by `make run` and `make test` on a fresh Debian/Ubuntu machine:
#  1. Debian packages for Xvfb and Qt's xcb platform plugin (installed when root,
#     otherwise the exact apt-get line is printed and we stop),
#  2. the virtualenv (.venv) with the package and its test extra, re-installed only
#     when pyproject.toml changes,
#  3. a check that Qt's xcb plugin finds all its shared libraries (ldd).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

DEB_PKGS="xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0
libxcb-xinerama0 libxcb-xfixes0 libxcb-shape0 libxcb-cursor0 libxcb-xkb1 libxkbcommon-x11-0 libegl1
libopengl0 libgl1 libglx-mesa0 libdbus-1-3 fontconfig fonts-dejavu-core"

if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $DEB_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing Debian packages:$missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      apt-get install -y -q --no-install-recommends $missing >/dev/null
    else
      echo "setup: missing Debian packages. Run this, then try again:"
      echo "  sudo apt-get install -y$missing"
      exit 1
    fi
  fi
else
  echo "setup: not a Debian system; make sure Xvfb, a GL stack and Qt's xcb dependencies are installed." >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "setup: Python >= 3.11 required ($PYTHON is $($PYTHON -V 2>&1))"; exit 1; }
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV" || { echo "setup: venv failed; on Debian run: sudo apt-get install -y python3-venv"; exit 1; }
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python dependencies into $VENV (first run takes a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

qxcb=$("$VENV/bin/python" - <<'PY'
import pathlib, PySide6
p = pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so"
print(p if p.exists() else "")
PY
)
if [ -n "$qxcb" ] && command -v ldd >/dev/null; then
  nf=$(ldd "$qxcb" | grep "not found" || true)
  if [ -n "$nf" ]; then
    echo "setup: Qt's xcb plugin lacks shared libraries:"; echo "$nf"
    echo "setup: install the Debian packages that provide them (apt-file search <lib>)"; exit 1
  fi
fi
