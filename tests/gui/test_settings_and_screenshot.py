"""Settings persistence across a close/reopen, and the `--screenshot` window grab."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import close_and_delete, colour_counts, qimage_to_array
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from viewer.gui.app import run_gui
from viewer.gui.main_window import MainWindow
from viewer.gui.settings import KEY_VIEW, make_settings
from viewer.render.views import VIEWS

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]


def _open(qapp, mesh_set, **kw) -> MainWindow:
    w = MainWindow(mesh_set=mesh_set, **kw)
    w.show()
    assert QTest.qWaitForWindowExposed(w, 5000)
    qapp.processEvents()
    return w


def _direction(w: MainWindow) -> np.ndarray:
    cam = w.scene_view.plotter.camera
    d = np.array(cam.position) - np.array(cam.focal_point)
    return d / np.linalg.norm(d)


def test_settings_live_in_the_test_folder_not_the_users(config_home):
    s = make_settings()
    assert Path(s.fileName()).resolve().is_relative_to(Path(config_home).resolve()), s.fileName()


def test_last_view_and_geometry_restored_after_reopen(qapp, mesh_set):
    settings = make_settings()
    settings.clear()
    settings.sync()
    first = _open(qapp, mesh_set)
    assert first.document.current_view == "anterior"  # nothing saved yet: default view
    first.resize(1180, 760)
    qapp.processEvents()
    first.view_actions["retrosigmoid"].trigger()
    first.labels_action.trigger()
    close_and_delete(qapp, first)
    assert make_settings().value(KEY_VIEW) == "retrosigmoid"

    second = _open(qapp, mesh_set)
    try:
        assert second.document.current_view == "retrosigmoid"
        assert second.view_actions["retrosigmoid"].isChecked()
        want = np.asarray(VIEWS["retrosigmoid"].direction, float)
        assert np.allclose(_direction(second), want / np.linalg.norm(want), atol=1e-6)
        assert second.labels_action.isChecked() and second.document.labels_on
        assert (second.width(), second.height()) == (1180, 760)
        # an explicit --view wins over the saved one
    finally:
        close_and_delete(qapp, second)
    third = _open(qapp, mesh_set, view="superior")
    try:
        assert third.document.current_view == "superior"
    finally:
        close_and_delete(qapp, third)
    make_settings().clear()


def _check_window_grab(path: Path, size: tuple[int, int]) -> None:
    img = QImage(str(path))
    assert not img.isNull(), f"{path} is not a PNG"
    assert (img.width(), img.height()) == size
    arr = qimage_to_array(img).astype(int)
    w, h = size
    lum = arr.mean(axis=2)
    # left panels (Structures/Info docks): light background with dark text
    panel = lum[int(0.08 * h) : int(0.9 * h), : int(0.2 * w)]
    text_pixels = int((panel < 90).sum())
    assert text_pixels > 800, f"no readable text in the panel area ({text_pixels} dark pixels)"
    assert (panel > 200).mean() > 0.4, "panel background should be light"
    # menu bar: text too
    assert int((lum[: int(0.025 * h) + 8, : int(0.3 * w)] < 90).sum()) > 50
    # 3D view (right part): the scene, not black
    view = arr[int(0.1 * h) : int(0.95 * h), int(0.4 * w) :]
    assert view.mean() > 40, "3D area is black"
    counts = colour_counts(view.astype(np.uint8))
    assert counts["red"] > 500 and counts["tan"] > 5000 and counts["yellow"] > 50, counts


def test_run_gui_screenshot_grabs_the_whole_window(qapp, tmp_path, config_home):
    ini = Path(make_settings().fileName())
    before = ini.stat().st_mtime_ns if ini.exists() else None
    out = tmp_path / "window.png"
    assert run_gui(view="anterior", screenshot=out, size=(1280, 800)) == 0
    _check_window_grab(out, (1280, 800))
    assert (ini.stat().st_mtime_ns if ini.exists() else None) == before, "--screenshot must not write settings"


def test_cli_screenshot_subprocess(tmp_path):
    out = tmp_path / "cli.png"
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "viewer", "--screenshot", str(out), "--view", "retrosigmoid", "--size", "1200x760"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout
    _check_window_grab(out, (1200, 760))


def test_run_gui_opens_the_window_and_ctrl_q_quits(qapp, qtbot):
    """The interactive path: run_gui() shows the main window; Ctrl+Q closes it and exec() returns 0."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    seen = {}

    def quit_it():
        wins = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not wins:
            QTimer.singleShot(50, quit_it)
            return
        w = wins[0]
        seen["title"] = w.windowTitle()
        seen["view"] = w.document.current_view
        w.activateWindow()
        QTest.qWaitForWindowActive(w, 3000)
        QTest.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        seen["closed"] = not w.isVisible()
        if not seen["closed"]:  # never hang the suite
            w.close()

    QTimer.singleShot(0, quit_it)
    assert run_gui(view="inferior") == 0
    assert seen == {"title": seen.get("title"), "view": "inferior", "closed": True}
    assert "HFS Compression Viewer" in seen["title"]
    qapp.sendPostedEvents(None, 52)  # QEvent.DeferredDelete: the window was WA_DeleteOnClose
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
