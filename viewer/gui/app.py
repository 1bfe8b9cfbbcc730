"""GUI entry point: `run_gui(view=None, screenshot=None, size=None) -> int` (used by viewer.cli)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEvent, Qt
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication

from .. import __version__
from .main_window import DEFAULT_SIZE, MainWindow, ensure_readable_font
from .settings import APPLICATION, ORGANISATION


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("HFS Compression Viewer")
    app.setApplicationVersion(__version__)
    _set_window_icon(app)
    ensure_readable_font(app)
    return app


def _set_window_icon(app: QApplication) -> None:
    """The application icon (packaging/icons; in the frozen build, its icons/ folder)."""
    if getattr(sys, "frozen", False):
        base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    else:
        base = Path(__file__).resolve().parents[2] / "packaging"
    pngs = sorted((base / "icons").glob("hfs-viewer-*.png"))
    if pngs and app.windowIcon().isNull():
        icon = QIcon()
        for png in pngs:
            icon.addFile(str(png))
        app.setWindowIcon(icon)


def _spin(app: QApplication, ms: int) -> None:
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < ms:
        app.processEvents()
        time.sleep(0.005)


def view_region_is_rendered(img: QImage, window: MainWindow) -> bool:
    """True when the 3D area of a window grab holds a scene (not black or blank)."""
    w = window.scene_view.widget
    top_left = w.mapTo(window, w.rect().topLeft())
    dpr = img.devicePixelRatio() or 1.0
    x0, y0 = top_left.x(), top_left.y()
    lit = 0
    samples = 0
    for fy in (0.1, 0.3, 0.5, 0.7, 0.9):
        for fx in (0.1, 0.3, 0.5, 0.7, 0.9):
            px = round((x0 + fx * w.width()) * dpr)
            py = round((y0 + fy * w.height()) * dpr)
            c = img.pixelColor(px, py)
            samples += 1
            lit += (c.red() + c.green() + c.blue()) > 30
    return lit >= samples * 0.8


def grab_when_rendered(app: QApplication, window: MainWindow, timeout_ms: int = 10000) -> QImage | None:
    """Grab the whole window once the 3D view shows the scene; None if it never did."""
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < timeout_ms:
        _spin(app, 50)
        img = window.grab_window()
        if view_region_is_rendered(img, window):
            return img
    return None


def run_gui(
    view: str | None = None,
    screenshot: str | Path | None = None,
    size: tuple[int, int] | None = None,
    scenario=None,
    case=None,
) -> int:
    """Open the main window. With `screenshot`, render, save a grab of the whole window, exit 0.

    `case`: (path, Case, meshes) of a patient case already read and checked, shown at start."""
    app = _application()
    if screenshot is not None:
        window = MainWindow(view=view, persist=False, scenario=scenario)
        window.resize(*(size or DEFAULT_SIZE))
        if case is not None:
            window.cases.show_case(case[1], case[2], case[0])
        window.show()
        try:
            img = grab_when_rendered(app, window)
            if img is None:
                print(
                    "hfs-viewer: the 3D view did not render (black window grab); is there an OpenGL-capable X server?",
                    file=sys.stderr,
                )
                return 1
            from .exports import save_png_atomic

            out = save_png_atomic(img, screenshot, compress_level=1)  # fast: the grab is written on the way out
            print(f"wrote {out} ({img.width()}x{img.height()}, view {window.document.current_view})")
            return 0
        finally:
            window.close()
            window.deleteLater()
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()
    window = MainWindow(view=view, scenario=scenario)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if case is not None:
        window.cases.show_case(case[1], case[2], case[0])
    if size is not None:
        window.resize(*size)
    window.show()
    # after a crash or kill: offer the autosave once the window is up (not in --screenshot runs)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, window.files.offer_recovery)
    return app.exec()
