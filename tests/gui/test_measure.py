"""Ruler and angle in the real window: clicks on the anatomy place the points, the scene shows the
value, the scenario keeps it (undoable)."""

import math

import numpy as np
import pytest
from gui_helpers import visible_surface_point, widget_pos_of
from PySide6.QtCore import QPoint, Qt
from vtkmodules.vtkRenderingCore import vtkCellPicker

pytestmark = pytest.mark.gui


def _surface_points(win):
    """Two well separated front-facing points: the basilar artery's middle and the left vertebral's."""
    plotter = win.scene_view.plotter
    out = []
    for sid in ("basilar", "va_left"):
        mesh = win.scene_view.scene.mesh_set.meshes[sid]
        pts = np.asarray(mesh.points)
        centre = pts.mean(axis=0)
        out.append(visible_surface_point(mesh, np.linalg.norm(pts - centre, axis=1) < 4, plotter.camera.position))
    return out


def _independent_pick(plotter, qpos):
    """What VTK's own picker finds under a widget position (device px, y up), as the reference."""
    dpr = plotter.devicePixelRatioF()
    picker = vtkCellPicker()
    picker.SetTolerance(0.0005)
    assert picker.Pick(qpos.x() * dpr, (plotter.height() - 1 - qpos.y()) * dpr, 0, plotter.renderer)
    return np.array(picker.GetPickPosition())


def test_ruler_between_two_clicked_points_shows_their_distance(win, qtbot):
    plotter = win.scene_view.plotter
    win.scene_view.render_now()
    targets = [QPoint(*widget_pos_of(plotter, p)) for p in _surface_points(win)]
    refs = [_independent_pick(plotter, q) for q in targets]
    win.ruler_action.trigger()
    assert win.ruler_action.isChecked() and win.cancel_measure_action.isEnabled()
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=targets[0])
    assert win.document.scenario.measurements == ()  # one point is not a ruler yet
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=targets[1])
    (m,) = win.document.scenario.measurements
    expected = float(np.linalg.norm(refs[1] - refs[0]))
    assert expected > 5.0
    assert m.kind == "ruler" and m.value == pytest.approx(expected, abs=0.05)
    win.scene_view.render_now()
    assert win.scene_view.presenter.measurements.texts()[m.id] == f"{expected:.1f} mm"  # drawn in the scene
    assert not win.ruler_action.isChecked() and not win.cancel_measure_action.isEnabled()
    assert win.document.last_pick is None  # the clicks measured, they did not pick
    win.document.undo_stack.undo()
    win.scene_view.render_now()
    assert win.document.scenario.measurements == () and win.scene_view.presenter.measurements.texts() == {}


def test_angle_takes_three_points_and_esc_cancels(win, qtbot):
    plotter = win.scene_view.plotter
    win.scene_view.render_now()
    a, b = _surface_points(win)
    qa, qb = (QPoint(*widget_pos_of(plotter, p)) for p in (a, b))
    win.angle_action.trigger()
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=qa)
    win.cancel_measure_action.trigger()  # Esc
    assert win.measure.mode == "" and win.document.scenario.measurements == ()
    win.angle_action.trigger()
    qc = QPoint(qb.x(), qa.y())
    for q in (qa, qb, qc):
        qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=q)
    (m,) = win.document.scenario.measurements
    p = [_independent_pick(plotter, q) for q in (qa, qb, qc)]
    u, v = p[0] - p[1], p[2] - p[1]
    ref = math.degrees(math.acos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v)))
    assert m.kind == "angle" and m.value == pytest.approx(ref, abs=0.1)
    win.scene_view.render_now()
    assert win.scene_view.presenter.measurements.texts()[m.id] == f"{ref:.1f}\u00b0"
