"""Presentation mode and the teaching-case browser in the real window."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from viewer.presets import PRESET_NAMES, load_preset
from viewer.render.views import camera_for
from viewer.scenario import default_scenario

pytestmark = pytest.mark.gui


@pytest.fixture
def pw(win, qtbot):
    win.document.load_scenario(default_scenario())
    win.current_preset = None
    yield win
    win.presentation.leave()
    qtbot.wait(20)


def camera(win):
    c = win.scene_view.plotter.camera
    return np.array(c.position), np.array(c.focal_point)


def test_browser_lists_every_preset_with_a_thumbnail_and_opens_one(pw, qtbot):
    panel = pw.preset_panel
    pw.presets_dock.raise_()  # its tab sits behind Structures; the list is filled when first shown
    qtbot.waitUntil(lambda: panel.list.count() > 0, timeout=2000)
    assert panel.list.count() == len(PRESET_NAMES) >= 16
    for i in range(panel.list.count()):
        assert not panel.list.item(i).icon().isNull()
    item = panel.list.item(PRESET_NAMES.index("vertebral-tandem"))
    panel.list.itemActivated.emit(item)
    qtbot.wait(20)
    s = load_preset("vertebral-tandem")
    assert pw.document.scenario == s
    assert pw.document.current_view == s.teaching.view
    assert set(pw.document.findings.classification) == set(s.teaching.expected)
    assert "Teaching cases" in [d.windowTitle() for d in pw.docks()]
    pw.teaching_menu.popup(pw.mapToGlobal(pw.rect().center()))  # filled when first opened
    qtbot.waitUntil(pw.teaching_menu.isVisible, timeout=2000)
    assert len(pw.teaching_menu.actions()) == len(PRESET_NAMES)
    pw.teaching_menu.hide()
    pw.structures_dock.raise_()


def test_presentation_steps_the_playlist_with_clicker_keys_and_esc_restores(pw, qtbot, monkeypatch):
    import viewer.gui.presentation as presentation

    # software rendering at full HD takes ~0.3 s a frame here: a longer swing guarantees
    # intermediate frames to look at (the default is 0.7 s)
    monkeypatch.setattr(presentation, "TRANSITION_MS", 4000)
    pw.activateWindow()
    QTest.qWaitForWindowActive(pw, 3000)
    bg = tuple(pw.scene_view.plotter.background_color.float_rgb)
    visible_docks = {d.objectName() for d in pw.docks() if d.isVisible()}
    assert pw.presentation.enter()
    qtbot.wait(50)
    p = pw.presentation
    assert p.active and pw.isFullScreen() and pw.presentation_action.isChecked()
    assert not pw.menuBar().isVisible() and not any(d.isVisible() for d in pw.docks())
    assert pw.caption_bar.isVisible() and f"1/{len(PRESET_NAMES)}" in p.caption_text()
    assert load_preset(PRESET_NAMES[0]).teaching.title in p.caption_text()
    assert pw.scene_view.callouts.FONT_PX >= 28
    assert max(pw.scene_view.plotter.background_color.float_rgb) < 0.05
    # a clicker's PageDown / PageUp
    QTest.keyClick(pw, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: p.index == 1, timeout=2000)
    assert pw.document.scenario == load_preset(PRESET_NAMES[1])
    assert f"2/{len(PRESET_NAMES)}" in p.caption_text()
    # the caption says the current finding
    from viewer.gui.findings_panel import headline

    assert headline(pw.document.findings) in p.caption_text()
    QTest.keyClick(pw, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: p.index == 0, timeout=2000)
    # a case with another view: the camera swings there smoothly (intermediate frames), then lands
    target = PRESET_NAMES.index("brainstem-ms-plaque")
    start_pos, _ = camera(pw)
    p.go(target)
    assert p.transitioning
    qtbot.waitUntil(lambda: np.linalg.norm(camera(pw)[0] - start_pos) > 1, timeout=3000)
    mid_pos, _ = camera(pw)
    qtbot.waitUntil(lambda: not p.transitioning, timeout=5000)
    end_pos, end_focal = camera(pw)
    want_pos, want_focal, _ = camera_for(load_preset("brainstem-ms-plaque").teaching.view)
    np.testing.assert_allclose(end_pos, want_pos, atol=1e-6)
    assert np.linalg.norm(mid_pos - start_pos) > 1 and np.linalg.norm(mid_pos - end_pos) > 1
    # Esc leaves and restores the window
    QTest.keyClick(pw, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not p.active, timeout=2000)
    assert not pw.isFullScreen() and pw.menuBar().isVisible() and not pw.caption_bar.isVisible()
    assert {d.objectName() for d in pw.docks() if d.isVisible()} == visible_docks
    assert tuple(pw.scene_view.plotter.background_color.float_rgb) == pytest.approx(bg)
    assert pw.scene_view.callouts.FONT_PX == 20


def test_presentation_grab_is_dark_with_a_big_caption(pw, qtbot):
    from gui_helpers import qimage_to_array

    pw.presentation.enter("aica-attached-segment")
    qtbot.wait(100)
    img = qimage_to_array(pw.grab_window())
    bar = pw.caption_bar.geometry()
    strip = img[bar.top() + 5 : bar.bottom() - 5, :]
    assert (strip.mean(axis=-1) < 20).mean() > 0.7  # black bar ...
    assert (strip.min(axis=-1) > 200).sum() > 2000  # ... with lots of white text
    assert bar.height() >= 80
