"""Both sides in the real window: a right-sided case mirrors the scene in place, and a vessel
handle dragged with real mouse events changes the findings, undoably."""

import numpy as np
import pytest
from gui_helpers import widget_pos_of
from PySide6.QtCore import QPoint, Qt

from viewer.anatomy import build_anatomy
from viewer.presets import load_preset
from viewer.scenario import mirror_scenario

pytestmark = pytest.mark.gui


def settle(qtbot, win):
    qtbot.wait(30)
    win.scene_view.render_now()


def drag(qtbot, win, start_mm, end_mm, steps=6):
    w = win.scene_view.widget
    a = QPoint(*widget_pos_of(w, start_mm))
    b = QPoint(*widget_pos_of(w, end_mm))
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in np.linspace(0, 1, steps)[1:]:
        qtbot.mouseMove(w, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    settle(qtbot, win)


def _aica_on_vii(findings):
    return [c for c in findings.contacts if c.id == "aica" and c.structure == "CN VII"]


def test_file_new_right_side_mirrors_the_scene_in_place(win, qtbot):
    scene = win.scene_view.scene
    actors = dict(scene.actors)
    cn7 = scene.mesh_set.meshes["cn7"]
    left_points = np.array(cn7.points, float)
    assert left_points[:, 0].mean() < 0

    win.new_side_actions["right"].trigger()
    settle(qtbot, win)
    d = win.document
    assert d.side == "right" and d.scenario.side == "right"
    assert scene.actors == actors  # the same actors, their meshes mirrored
    pts = np.array(cn7.points, float)
    assert sorted(map(tuple, np.round(pts, 5))) == sorted(map(tuple, np.round(left_points * [-1, 1, 1], 5)))
    assert np.array(scene.mesh_set.meshes["petrous"].points, float)[:, 0].mean() > 10
    # words: structure names, view titles, window title
    assert win.structure_panel.items["aica"].text(0) == "Right AICA"
    assert win.structure_panel.items["va_right"].text(0) == "Left vertebral artery"
    assert win.view_actions["retrosigmoid"].text() == "Right retrosigmoid (surgeon)"
    assert win.view_actions["left_lateral"].text() == "Right lateral"
    assert "right cerebellopontine angle" in win.windowTitle()
    # the right lateral camera stands on the right
    d.set_view("left_lateral")
    settle(qtbot, win)
    assert win.scene_view.plotter.camera.position[0] > 50

    win.new_side_actions["left"].trigger()
    settle(qtbot, win)
    assert d.side == "left" and win.structure_panel.items["aica"].text(0) == "Left AICA"
    assert np.array_equal(np.array(cn7.points, float), left_points)
    assert win.scene_view.plotter.camera.position[0] < -50


def test_right_sided_preset_drag_changes_findings_and_undo(win, qtbot):
    d = win.document
    case = mirror_scenario(load_preset("aica-attached-segment"))
    d.load_scenario(case)
    d.set_view("anterior")
    settle(qtbot, win)
    nerve = build_anatomy("right").facial_nerve
    (before,) = _aica_on_vii(d.findings)
    assert before.segment == "AS" and before.severity == "moderate" and before.nerve_point_mm[0] > 0
    assert any("Right AICA" in t for t in win.scene_view.callouts.texts())
    # the nerve drawn is the right one, dented where the AICA presses
    cn7 = win.scene_view.scene.mesh_set.meshes["cn7"]
    assert np.array(cn7.points, float)[:, 0].min() > 0
    assert win.scene_view.deformation.max_displacement_mm > 0.2

    d.select("aica")
    settle(qtbot, win)
    aica = d.scenario.vessel("aica")
    k = int(np.argmin(np.linalg.norm(aica.handles_mm - np.asarray(before.nerve_point_mm), axis=1)))
    h = aica.handles_mm[k].copy()
    # pull the handle 5 mm down and out, away from the nerve (anterior view: in the x-z plane)
    target = h + np.array([3.0, 0.0, -4.0])
    drag(qtbot, win, h, target)

    moved = d.scenario.vessel("aica").handles_mm[k]
    assert np.linalg.norm(moved - target) < 0.2
    assert d.undo_stack.count() == 1
    after = _aica_on_vii(d.findings)
    assert not after or after[0].penetration_mm < before.penetration_mm - 0.2
    assert d.findings.side == "right"

    d.undo_stack.undo()
    settle(qtbot, win)
    assert d.scenario == case
    (again,) = _aica_on_vii(d.findings)
    assert again.penetration_mm == pytest.approx(before.penetration_mm)
    assert d.side == "right"
    assert np.allclose(nerve.points_mm[:, 0], -build_anatomy().facial_nerve.points_mm[:, 0])
