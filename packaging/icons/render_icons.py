"""Render hfs-viewer.svg to the PNG sizes the desktop entry and the window icon use.

python packaging/icons/render_icons.py      (needs PySide6's QtSvg; the PNGs are committed)
"""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1] + ["-platform", "offscreen"])  # noqa: F841
    renderer = QSvgRenderer(str(HERE / "hfs-viewer.svg"))
    if not renderer.isValid():
        print("render_icons: hfs-viewer.svg is not valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = HERE / f"hfs-viewer-{size}.png"
        if not img.save(str(out)):
            print(f"render_icons: cannot write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
