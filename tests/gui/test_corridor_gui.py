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
    win.scene_view.render_now()
    moved = np.array(flocculus.points)
    assert np.abs(moved - rest).max() > 3.0  # the flocculus moved in place
    assert win.scene_view.scene.actors["flocculus"] is actor
    d.undo_stack.undo()
    assert d.scenario.corridor.retraction_mm == 0.0
    win.scene_view.render_now()
    np.testing.assert_allclose(np.array(flocculus.points), rest, atol=1e-9)
    assert panel.slider.value() == 0
