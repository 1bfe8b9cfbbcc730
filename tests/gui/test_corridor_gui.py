"""The corridor panel in the real window: the retraction slider (real mouse drag) moves the
cerebellum in place and raises the REZ visibility figure; undo takes it back in one step."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from viewer.corridor import corridor_visibility

pytestmark = pytest.mark.gui


def _handle_centre(slider) -> QPoint:
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    rect = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect.center()


def _x_of(slider, value: int) -> int:
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    groove = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderGroove, slider
    )
    handle = slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, opt, QStyle.SubControl.SC_SliderHandle, slider
    )
    span = groove.width() - handle.width()
    return (
        groove.x()
        + handle.width() // 2
        + round(span * (value - slider.minimum()) / (slider.maximum() - slider.minimum()))
    )


def test_retraction_slider_raises_rez_visibility_and_undoes_in_one_step(win, qtbot):
    panel = win.corridor_panel
    win.corridor_dock.show()
    win.corridor_dock.raise_()
    qtbot.waitUntil(panel.slider.isVisible, timeout=3000)
    d = win.document
    panel.plan_box.click()  # plan a corridor at 0 mm
    assert d.scenario.corridor is not None and d.scenario.corridor.retraction_mm == 0.0
    f0 = d.findings.corridor["rez_visible_fraction"]
    assert panel.visible_label.text().startswith(f"REZ visible from the keyhole: {round(100 * f0)} %")
    flocculus = win.scene_view.scene.mesh_set.meshes["flocculus"]
    rest = np.array(flocculus.points)
    actor = win.scene_view.scene.actors["flocculus"]
    steps_before = d.undo_stack.count()
    # drag the handle to 8 mm with the mouse
    s = panel.slider
    a = _handle_centre(s)
    b = QPoint(_x_of(s, 80), a.y())
    qtbot.mousePress(s, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in np.linspace(0.1, 1.0, 8):
        qtbot.mouseMove(s, QPoint(round(a.x() + t * (b.x() - a.x())), a.y()))
    qtbot.mouseRelease(s, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    mm = d.scenario.corridor.retraction_mm
    assert 7.0 <= mm <= 9.0, mm
    assert d.undo_stack.count() == steps_before + 1  # the whole drag is one undo step
    f1 = d.findings.corridor["rez_visible_fraction"]
    # the figure shown is the core's own, independently recomputed
    ref = corridor_visibility(d.state.anatomy).fraction(mm, d.scenario.vessels)
    assert f1 == pytest.approx(ref, abs=1e-4)  # the findings round to 4 decimals
    assert f1 > f0
    qtbot.waitUntil(lambda: f"{round(100 * f1)} %" in panel.visible_label.text(), timeout=3000)
    assert f"Corridor: {round(100 * f1)} % of the root exit zone" in win.findings_panel.text()
    win.scene_view.render_now()
    moved = np.array(flocculus.points)
    assert np.abs(moved - rest).max() > 3.0  # the flocculus moved in place
    assert win.scene_view.scene.actors["flocculus"] is actor
    d.undo_stack.undo()
    assert d.scenario.corridor.retraction_mm == 0.0
    win.scene_view.render_now()
    np.testing.assert_allclose(np.array(flocculus.points), rest, atol=1e-9)
    assert panel.slider.value() == 0


def test_clipping_plane_cuts_brainstem_not_nerves_and_moves_with_a_drag(win, qtbot):
    from viewer.gui.clipping import MM_PER_PX

    plotter = win.scene_view.plotter
    scene = win.scene_view.scene

    def planes(sid):
        cp = scene.actors[sid].mapper.GetClippingPlanes()
        return 0 if cp is None else cp.GetNumberOfItems()

    assert not win.clip_action.isChecked() and planes("brainstem") == 0  # off by default
    win.scene_view.render_now()
    before = win.scene_view.screenshot()
    win.clip_action.trigger()
    assert planes("brainstem") == 1 and planes("cn7") == 0 and planes("aica") == 0
    assert win.clip.clip.depth_mm() == pytest.approx(0.0, abs=1e-6)
    after = win.scene_view.screenshot()
    assert np.abs(after.astype(int) - before.astype(int)).mean() > 1.0  # the cut shows
    # drag the plane (its square covers the middle of the view) 100 px up: deeper by 100 x MM_PER_PX
    centre = QPoint(plotter.width() // 2, plotter.height() // 2)
    up = QPoint(centre.x(), centre.y() - 100)
    qtbot.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    for t in np.linspace(0.1, 1.0, 6):
        qtbot.mouseMove(plotter, QPoint(centre.x(), round(centre.y() - 100 * t)))
    qtbot.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, up)
    dpr = plotter.devicePixelRatioF()
    assert win.clip.clip.depth_mm() == pytest.approx(100 * dpr * MM_PER_PX, rel=0.1)
    win.clip_action.trigger()
    assert planes("brainstem") == 0 and not win.clip.clip.actor.visibility
