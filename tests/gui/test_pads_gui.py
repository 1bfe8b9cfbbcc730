"""The decompression plan in the real window: a Teflon pad inserted at the culprit contact, dragged
with the mouse, resized and turned with the keys and the Pad panel, removed; a sling made with two
clicks; the scene before decompression; every edit undone."""

import numpy as np
import pytest
from gui_helpers import widget_pos_of
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from viewer.pad_editing import sling_point

pytestmark = pytest.mark.gui

PRESET = "aica-attached-segment"  # the AICA on CN VII's attached segment, moderate


@pytest.fixture
def ed(win, qtbot):
    win.open_preset(PRESET, confirm=False)
    win.document.set_view("rez_closeup")
    settle(qtbot, win)
    return win


def settle(qtbot, win):
    qtbot.wait(30)
    win.scene_view.render_now()


def focus_view(win, qtbot):
    w = win.scene_view.widget
    win.activateWindow()
    QTest.qWaitForWindowActive(win, 3000)
    w.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    return w


def to_display(w, pos: QPoint) -> tuple[int, int]:
    dpr = w.devicePixelRatioF()
    return round(pos.x() * dpr), round((w.height() - pos.y() - 1) * dpr)


def visible_pixel(win, points, accept) -> tuple[QPoint, tuple]:
    """A widget position over one of `points` where a click reaches an object `accept` takes first."""
    view, w = win.scene_view, win.scene_view.widget
    for p in points:
        pos = QPoint(*widget_pos_of(w, p))
        if not (5 < pos.x() < w.width() - 5 and 5 < pos.y() < w.height() - 5):
            continue
        sid, hit = view.pick_display(*to_display(w, pos))
        if sid is not None and accept(sid):
            return pos, hit
    raise AssertionError("no visible pixel over those points")


def pad_points(pad):
    """The centre, then points on the felt towards its rims: a vessel resting on the pad hides its middle."""
    c, rows, r = np.asarray(pad.center_mm), pad.axes_matrix, np.asarray(pad.radii_mm)
    out = [c]
    for f in (0.5, 0.75):
        for i in (1, 2):  # across the felt (row 0 is its thickness, towards the vessel)
            for sign in (1, -1):
                out.append(c + sign * f * r[i] * rows[i])
    return out


def shifted(w, a: QPoint, origin, target) -> QPoint:
    """`a` moved by the screen offset from `origin` to `target` (world points)."""
    p0, p1 = widget_pos_of(w, origin), widget_pos_of(w, target)
    return QPoint(a.x() + p1[0] - p0[0], a.y() + p1[1] - p0[1])


def drag(qtbot, w, a: QPoint, b: QPoint, steps: int = 6) -> None:
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in np.linspace(0, 1, steps)[1:]:
        qtbot.mouseMove(w, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def felt_pixels(win) -> int:
    """Bright, nearly colourless pixels: the white felt (also seen through the translucent petrous bone)."""
    img = win.scene_view.screenshot()[..., :3].astype(int)
    return int(((img.min(axis=-1) > 165) & (np.ptp(img, axis=-1) < 24)).sum())


def tube_points(win, vid: str) -> np.ndarray:
    return np.array(win.scene_view.presenter.vessel_actor(vid).GetMapper().GetInput().GetPoints().GetData())


def off_course(tube: np.ndarray, course: np.ndarray, near, within_mm: float = 6.0) -> float:
    """How far the tube's wall near `near` strays from lying one radius round `course` (the 90th
    percentile, mm): below ~0.1 when the tube is drawn along that course there."""
    tube = tube[np.linalg.norm(tube - np.asarray(near), axis=1) < within_mm]
    d = np.linalg.norm(tube[:, None, :] - np.asarray(course)[None, :, :], axis=2).min(axis=1)
    return float(np.percentile(np.abs(d - np.median(d)), 90))


def insert_pad(win, qtbot) -> str:
    win.insert_pad_action.trigger()
    settle(qtbot, win)
    return win.document.selected


# ---------------------------------------------------------------------- insert
def test_insert_pad_is_disabled_without_a_contact(win, qtbot):
    settle(qtbot, win)  # the default anatomy: nothing touches CN VII
    assert not win.insert_pad_action.isEnabled()
    assert "no contact" in win.insert_pad_action.statusTip().lower()
    assert win.document.insert_pad() is None and not win.document.scenario.pads


def test_insert_pad_at_the_culprit_contact_and_undo(ed, qtbot):
    d = ed.document
    contact = d.findings.culprit_contact()
    assert ed.insert_pad_action.isEnabled()
    assert "Insert Teflon pad" in [a.text().replace("&", "") for a in ed.scenario_menu.actions()]
    felt_before = felt_pixels(ed)
    pid = insert_pad(ed, qtbot)
    pad = d.scenario.pad(pid)
    # between vessel and nerve: the thickness axis points from the nerve to the vessel
    nerve_pt, vessel_pt = np.array(contact.nerve_point_mm), np.array(contact.other_point_mm)
    towards = (vessel_pt - nerve_pt) / np.linalg.norm(vessel_pt - nerve_pt)
    assert np.dot(pad.axes_matrix[0], towards) == pytest.approx(1.0, abs=1e-5)
    assert np.dot(np.array(pad.center_mm) - nerve_pt, towards) > d.facial_nerve.radius_mm
    assert pad.radii_mm == (1.5, 2.5, 2.5)
    # what the user sees: the felt in the view, the Pad panel raised on it, one undo step
    actor = ed.scene_view.presenter.plan.pad_actors[pid]
    np.testing.assert_allclose(np.array(actor.bounds).reshape(3, 2).mean(axis=1), pad.center_mm, atol=0.35)
    assert felt_pixels(ed) > felt_before + 300
    assert not ed.pad_dock.visibleRegion().isEmpty()
    assert "Teflon pad" in ed.pad_panel.title_label.text() and ed.pad_panel.editor.isVisible()
    assert d.undo_stack.count() == 1 and "Teflon pad" in d.undo_stack.undoText()
    # the AICA now rests on the pad: CN VII is decompressed, and the panel says so
    assert d.findings.decompression["status"] == "decompressed"
    assert "decompressed" in d.findings.classification
    text = ed.findings_panel.text()
    assert "Decompression: decompressed" in text and "Before: single vessel; culprit Left AICA" in text
    assert ed.findings_panel.headline_label.text().startswith("Decompressed")
    assert ed.findings_panel.decompression_label.isVisible()
    # the tube is drawn along the rerouted course, away from the nerve
    routed = d.state.effective_scenario.vessel("aica").course_mm
    tube = tube_points(ed, "aica")
    assert (
        off_course(tube, routed, pad.center_mm)
        < 0.1
        < 0.3
        < off_course(tube, d.scenario.vessel("aica").course_mm, pad.center_mm)
    )
    d.undo_stack.undo()
    settle(qtbot, ed)
    assert not d.scenario.pads and ed.scene_view.presenter.plan.pad_actors == {}


# ---------------------------------------------------------------------- mouse
def test_drag_pad_with_the_mouse_is_one_undo_step(ed, qtbot):
    d = ed.document
    pid = insert_pad(ed, qtbot)
    d.select("")
    settle(qtbot, ed)
    c0 = np.array(d.scenario.pad(pid).center_mm)
    w = ed.scene_view.widget
    # grab the felt itself (not selected yet): the press selects it and the drag moves it
    a, hit = visible_pixel(ed, pad_points(d.scenario.pad(pid)), lambda sid: sid == pid)
    right, up, _ = ed.scene_view.camera_axes()
    b = shifted(w, a, c0, c0 + 3.0 * right + 2.0 * up)  # the grabbed point keeps its place on the felt
    steps = d.undo_stack.count()
    drag(qtbot, w, a, b)
    settle(qtbot, ed)
    assert d.selected == pid
    moved = np.array(d.scenario.pad(pid).center_mm) - c0
    assert np.dot(moved, right) == pytest.approx(3.0, abs=0.4)
    assert np.dot(moved, up) == pytest.approx(2.0, abs=0.4)
    assert d.undo_stack.count() == steps + 1
    actor = ed.scene_view.presenter.plan.pad_actors[pid]
    np.testing.assert_allclose(np.array(actor.user_matrix)[:3, 3], c0 + moved, atol=1e-6)
    d.undo_stack.undo()
    settle(qtbot, ed)
    np.testing.assert_allclose(d.scenario.pad(pid).center_mm, c0)
    np.testing.assert_allclose(np.array(actor.user_matrix)[:3, 3], c0, atol=1e-6)


def test_drag_pad_onto_the_root_exit_zone(ed, qtbot):
    d = ed.document
    pid = insert_pad(ed, qtbot)
    pad = d.scenario.pad(pid)
    nerve = d.facial_nerve
    rexp = nerve.points_mm[np.searchsorted(nerve.arc_mm, 0.8)]  # on the root exit point
    # where the pad must go to lie on the REZ: its thin side on the nerve there
    on_rez = rexp + pad.axes_matrix[0] * (nerve.radius_mm + pad.radii_mm[0] - 0.3)
    w = ed.scene_view.widget
    a, _ = visible_pixel(ed, pad_points(pad), lambda sid: sid == pid)
    c0 = np.array(pad.center_mm)
    # the drag keeps the pad's depth: aim at the REZ point's projection onto that plane
    _, _, fwd = ed.scene_view.camera_axes()
    aim = on_rez - np.dot(on_rez - c0, fwd) * fwd
    drag(qtbot, w, a, shifted(w, a, c0, aim), steps=10)
    settle(qtbot, ed)
    c1 = np.array(d.scenario.pad(pid).center_mm)
    assert np.linalg.norm(c1 - aim) < 0.6
    # then into depth with the keys (Ctrl+Up/Down), as a user would
    focus_view(ed, qtbot)
    depth = float(np.dot(on_rez - c1, fwd))
    key = Qt.Key.Key_Up if depth > 0 else Qt.Key.Key_Down
    for _ in range(int(round(abs(depth)))):
        qtbot.keyClick(w, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, ed)
    c2 = np.array(d.scenario.pad(pid).center_mm)
    assert np.linalg.norm(c2 - on_rez) < 1.0
    # the analysis warns about a pad on the central myelin: in the panel, why and a source, and at the pad
    dec = d.findings.decompression
    warning = next(x for x in dec["warnings"] if x["code"] == "pad_on_rez")
    assert warning["sources"]
    assert "Warning (pad_on_rez)" in ed.findings_panel.text()
    assert any("Pad on the REZ" in t for t in ed.scene_view.callouts.texts())
    for _ in range(d.undo_stack.count() - 1):
        d.undo_stack.undo()
    np.testing.assert_allclose(d.scenario.pad(pid).center_mm, c0)


def test_shift_drag_turns_and_ctrl_drag_resizes_the_pad(ed, qtbot):
    d = ed.document
    pid = insert_pad(ed, qtbot)
    p0 = d.scenario.pad(pid)
    w = ed.scene_view.widget
    a, _ = visible_pixel(ed, pad_points(p0), lambda sid: sid == pid)
    shift, ctrl = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
    # Shift+drag 60 px sideways: a 30 degree turn about the screen's vertical, the centre stays
    steps = d.undo_stack.count()
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, shift, a)
    for k in range(1, 7):
        qtbot.mouseMove(w, QPoint(a.x() + 10 * k, a.y()))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, shift, QPoint(a.x() + 60, a.y()))
    settle(qtbot, ed)
    p1 = d.scenario.pad(pid)
    assert p1.center_mm == p0.center_mm and p1.radii_mm == p0.radii_mm
    up = ed.scene_view.camera_axes()[1]
    rot = p1.axes_matrix.T @ p0.axes_matrix
    assert np.degrees(np.arccos((np.trace(rot) - 1) / 2)) == pytest.approx(30.0, abs=1.0)
    np.testing.assert_allclose(rot @ up, up, atol=0.02)  # about the screen's vertical
    assert d.undo_stack.count() == steps + 1
    # Ctrl+drag 60 px up: every semi-axis grows by the same factor, within the 0.5-6 mm range
    a, _ = visible_pixel(ed, pad_points(p1), lambda sid: sid == pid)
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, ctrl, a)
    for k in range(1, 7):
        qtbot.mouseMove(w, QPoint(a.x(), a.y() - 10 * k))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, ctrl, QPoint(a.x(), a.y() - 60))
    settle(qtbot, ed)
    p2 = d.scenario.pad(pid)
    factor = np.array(p2.radii_mm) / np.array(p1.radii_mm)
    assert factor[0] == pytest.approx(np.exp(0.3), rel=0.05) and np.ptp(factor) < 0.01
    assert d.undo_stack.count() == steps + 2
    d.undo_stack.undo()
    d.undo_stack.undo()
    assert d.scenario.pad(pid) == p0


# ---------------------------------------------------------------------- keys and panel
def test_keys_resize_turn_nudge_and_delete_the_pad(ed, qtbot):
    d = ed.document
    pid = insert_pad(ed, qtbot)
    w = focus_view(ed, qtbot)
    p0 = d.scenario.pad(pid)
    qtbot.keyClick(w, "]")
    np.testing.assert_allclose(d.scenario.pad(pid).radii_mm, np.array(p0.radii_mm) * 1.1, atol=1e-3)
    qtbot.keyClick(w, "[")
    np.testing.assert_allclose(d.scenario.pad(pid).radii_mm, p0.radii_mm, atol=2e-3)
    fwd = ed.scene_view.camera_axes()[2]
    qtbot.keyClick(w, ",")
    a1 = d.scenario.pad(pid).axes_matrix
    np.testing.assert_allclose(a1 @ a1.T, np.eye(3), atol=1e-9)
    # a turn about the line of sight: each axis keeps its component along it, and turns 15 degrees
    np.testing.assert_allclose(a1 @ fwd, p0.axes_matrix @ fwd, atol=1e-5)  # the inserted axes are rounded
    rot = a1.T @ p0.axes_matrix  # the world rotation the key applied
    assert np.degrees(np.arccos((np.trace(rot) - 1) / 2)) == pytest.approx(15.0, abs=0.01)
    qtbot.keyClick(w, ",", Qt.KeyboardModifier.ControlModifier)
    assert not np.allclose(d.scenario.pad(pid).axes_matrix, a1)
    right = ed.scene_view.camera_axes()[0]
    c = np.array(d.scenario.pad(pid).center_mm)
    qtbot.keyClick(w, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_allclose(np.array(d.scenario.pad(pid).center_mm) - c, right, atol=1e-6)
    settle(qtbot, ed)
    assert "1.1" in ed.pad_panel.title_label.text() or "5.0" in ed.pad_panel.title_label.text()
    qtbot.keyClick(w, Qt.Key.Key_Delete)
    settle(qtbot, ed)
    assert not d.scenario.pads and pid not in ed.scene_view.presenter.plan.pad_actors
    while d.undo_stack.canUndo() and d.undo_stack.index() > 1:
        d.undo_stack.undo()
    settle(qtbot, ed)
    assert d.scenario.pad(pid) == p0


def test_pad_panel_edits_radii_orientation_and_removes(ed, qtbot):
    d = ed.document
    pid = insert_pad(ed, qtbot)
    panel = ed.pad_panel
    p0 = d.scenario.pad(pid)
    thick = panel.radius_spins[0]
    assert (thick.minimum(), thick.maximum()) == (0.5, 6.0)
    thick.setValue(1.0)
    assert d.scenario.pad(pid).radii_mm[0] == pytest.approx(1.0)
    panel.radius_spins[1].setValue(9.0)  # beyond the format's range: the box stops at 6 mm
    assert d.scenario.pad(pid).radii_mm[1] == pytest.approx(6.0)
    az, el, spin = (b.value() for b in panel.angle_spins)
    panel.angle_spins[2].setValue(spin + 30.0)
    a = d.scenario.pad(pid).axes_matrix
    np.testing.assert_allclose(a[0], p0.axes_matrix[0], atol=2e-3)  # the thickness axis stays
    assert np.degrees(np.arccos(np.clip(a[1] @ p0.axes_matrix[1], -1, 1))) == pytest.approx(30.0, abs=0.2)
    panel.angle_spins[1].setValue(el + 20.0)
    assert np.degrees(np.arcsin(d.scenario.pad(pid).axes_matrix[0][2])) == pytest.approx(el + 20.0, abs=0.1)
    settle(qtbot, ed)
    actor = ed.scene_view.presenter.plan.pad_actors[pid]
    m = np.array(actor.user_matrix)[:3, :3]
    np.testing.assert_allclose(np.linalg.norm(m, axis=0), d.scenario.pad(pid).radii_mm, atol=1e-6)
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    settle(qtbot, ed)
    assert not d.scenario.pads and not panel.editor.isVisible()
    for _ in range(5):
        d.undo_stack.undo()
    assert d.scenario.pad(pid) == p0


# ---------------------------------------------------------------------- sling
def test_sling_tool_two_clicks_then_undo(ed, qtbot):
    d = ed.document
    d.set_view("retrosigmoid")
    settle(qtbot, ed)
    w = ed.scene_view.widget
    aica = d.scenario.vessel("aica")
    course = aica.course_mm
    ed.sling_action.trigger()
    assert ed.sling_action.isChecked() and ed.cancel_sling_action.isEnabled()
    a, hit = visible_pixel(ed, course[len(course) // 3 :: 3], lambda sid: sid == "aica")
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    settle(qtbot, ed)
    assert ed.sling_tool.vessel == "aica" and not d.scenario.slings
    # the anchor: a point of the petrous bone's face the user can see (through or not)
    petrous = ed.scene_view.scene.mesh_set.meshes["petrous"]
    pts = np.asarray(petrous.points)
    cam = np.array(ed.scene_view.plotter.camera.position)
    near = pts[np.argsort(np.linalg.norm(pts - np.asarray(aica.course_mm).mean(axis=0), axis=1))[:400:20]]
    view = ed.scene_view
    b = None
    for p in near:
        pos = QPoint(*widget_pos_of(w, p))
        sid, anchor_hit = view.pick_first(*to_display(w, pos), lambda s: s == "petrous")
        if sid == "petrous":
            b = pos
            break
    assert b is not None, cam
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    settle(qtbot, ed)
    assert len(d.scenario.slings) == 1 and not ed.sling_action.isChecked()
    sling = d.scenario.slings[0]
    assert sling.vessel == "aica" and 0.0 <= sling.at_mm <= aica.course_length_mm
    np.testing.assert_allclose(sling.anchor_mm, anchor_hit, atol=0.05)
    plan = ed.scene_view.presenter.plan
    assert sling.id in plan.sling_parts and all(a.GetVisibility() for a in plan.sling_actors(sling.id))
    clip = plan.sling_parts[sling.id]["clip"]
    np.testing.assert_allclose(np.array(clip.user_matrix)[:3, 3], sling.anchor_mm, atol=1e-6)
    assert d.selected == sling.id and "Sling on the" in ed.pad_panel.title_label.text()
    # a click on the sling selects it, Delete removes it (the vessel goes back), undo brings it back
    d.select("")
    parts = plan.sling_parts[sling.id]
    pts = np.vstack([np.asarray(parts[k][0].points) for k in ("band", "loop")] + [np.asarray(sling.anchor_mm)[None]])
    c, _ = visible_pixel(ed, pts[::5], lambda s: s == sling.id)
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, c)
    settle(qtbot, ed)
    assert d.selected == sling.id
    focus_view(ed, qtbot)
    qtbot.keyClick(w, Qt.Key.Key_Delete)
    settle(qtbot, ed)
    assert not d.scenario.slings and plan.sling_parts == {}
    d.undo_stack.undo()
    settle(qtbot, ed)
    assert d.scenario.slings == (sling,)
    d.undo_stack.undo()
    settle(qtbot, ed)
    assert not d.scenario.slings and plan.sling_parts == {}
    # Esc cancels a started transposition
    ed.sling_action.trigger()
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    focus_view(ed, qtbot)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not ed.sling_tool.active and not ed.sling_action.isChecked() and not d.scenario.slings


def test_sling_removed_from_the_menu(ed, qtbot):
    d = ed.document
    vessel = d.scenario.vessel("aica")
    sid = d.add_sling("aica", vessel.course_mm[len(vessel.course_mm) // 2], (-20.0, -2.0, 10.0))
    settle(qtbot, ed)
    assert d.selected == sid
    # the band leaves the vessel as drawn (routed by the sling), and follows it when the vessel is moved
    plan = ed.scene_view.presenter.plan

    def band_gap():
        """How far the loop's mean is from the drawn vessel's point at the sling's arc position."""
        loop = np.asarray(plan.sling_parts[sid]["loop"][0].points).mean(axis=0)
        course = d.state.effective_scenario.vessel("aica").course_mm
        return np.linalg.norm(loop - sling_point(course, d.scenario.sling(sid).at_mm))

    gap0 = band_gap()  # the loop's mean is a little off its centre line (the caps): a constant
    assert gap0 < 0.25
    k = len(vessel.centerline_mm) // 2
    assert d.move_handle("aica", k, vessel.handles_mm[k] + (0.0, -3.0, 3.0))
    settle(qtbot, ed)
    assert band_gap() == pytest.approx(gap0, abs=0.02)
    ed.remove_sling_action.trigger()
    settle(qtbot, ed)
    assert not d.scenario.slings and ed.scene_view.presenter.plan.sling_parts == {}
    d.undo_stack.undo()
    assert d.scenario.sling(sid).vessel == "aica"


# ---------------------------------------------------------------------- before / after
def test_before_after_toggle(ed, qtbot):
    d = ed.document
    headline_before = ed.findings_panel.headline_label.text()
    pid = insert_pad(ed, qtbot)
    plan = ed.scene_view.presenter.plan
    assert plan.pad_actors[pid].GetVisibility()
    assert "with the decompression plan" in ed.findings_panel.text()
    felt_with = felt_pixels(ed)
    w = focus_view(ed, qtbot)
    qtbot.keyClick(w, Qt.Key.Key_B)
    settle(qtbot, ed)
    assert d.showing_before and ed.before_action.isChecked()
    assert not plan.pad_actors[pid].GetVisibility()
    assert felt_pixels(ed) < felt_with - 300
    assert "Shown: before decompression" in ed.findings_panel.text()
    assert ed.findings_panel.headline_label.text() == headline_before  # the culprit again
    assert d.shown_state.findings.culprit == "aica"
    assert "Decompressed" not in ed.findings_panel.headline_label.text()
    # the AICA is drawn where it is without the plan: back on the nerve
    before_pts = tube_points(ed, "aica")
    centre = d.scenario.pad(pid).center_mm
    assert off_course(before_pts, d.scenario.vessel("aica").course_mm, centre) < 0.1
    assert not ed.pad_panel.editor.isEnabled()
    # exports follow: the video's scenario has no pad
    assert not d.shown_scenario.pads
    qtbot.keyClick(w, Qt.Key.Key_B)
    settle(qtbot, ed)
    assert not d.showing_before and plan.pad_actors[pid].GetVisibility()
    assert off_course(tube_points(ed, "aica"), d.state.effective_scenario.vessel("aica").course_mm, centre) < 0.1
    assert "with the decompression plan" in ed.findings_panel.text()
    # undoing the plan away leaves the before view on its own
    qtbot.keyClick(w, Qt.Key.Key_B)
    d.undo_stack.undo()
    settle(qtbot, ed)
    assert not d.showing_before and not ed.before_action.isChecked()
    assert "Shown:" not in ed.findings_panel.text()


def test_shortcuts_are_documented(ed, qtbot):
    from viewer.gui.dialogs import shortcuts_html

    text = shortcuts_html(ed)
    for words in (
        "Insert Teflon pad",
        "Transpose vessel",
        "Show before decompression",
        "Turn pad",
        "Drag a Teflon pad",
    ):
        assert words in text, words
    assert "[ and ]" in ed.pad_panel.pad_help.text()


# ---------------------------------------------------------------------- report
def test_report_has_a_decompression_plan_with_both_states(ed, qtbot, tmp_path):
    import re

    import pypdf

    from viewer.gui.report import write_report

    d = ed.document
    insert_pad(ed, qtbot)
    out = write_report(d.scenario, tmp_path / "plan.pdf", findings=d.findings, image_size=(600, 360))
    reader = pypdf.PdfReader(str(out))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Decompression plan" in text
    assert "Before decompression" in text and "With the plan" in text
    assert "Teflon felt pad pad-1" in text
    assert "before decompression" in text  # the caption of the image without the plan
    images = {im.indirect_reference.idnum for page in reader.pages for im in page.images}
    assert len(images) == 3  # two views, and the second again before decompression
    assert "decompressed" in text.lower()


def test_exports_follow_the_before_after_toggle(ed, qtbot, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from viewer.gui import exports
    from viewer.render import video

    d = ed.document
    insert_pad(ed, qtbot)
    filmed = []

    def fake_export(scenario, path, *args, **kwargs):
        filmed.append(scenario)
        return SimpleNamespace(path=path, frames=2, seconds=0.1)

    monkeypatch.setattr(video, "export_animation", fake_export)
    for before in (True, False):
        d.set_show_before(before)
        settle(qtbot, ed)
        exports.export_video(ed, tmp_path / "v.mp4", "turntable", frames=2)
        png = ed.export_image(tmp_path / f"{before}.png", size=(320, 200))
        assert png.exists()
    assert [bool(s.pads) for s in filmed] == [False, True]


def test_insert_pad_on_the_right_side(win, qtbot):
    from viewer.presets import load_preset
    from viewer.scenario import mirror_scenario

    d = win.document
    d.load_scenario(mirror_scenario(load_preset(PRESET)))
    d.set_view("rez_closeup")
    settle(qtbot, win)
    assert d.side == "right" and win.insert_pad_action.isEnabled()
    pid = insert_pad(win, qtbot)
    pad = d.scenario.pad(pid)
    assert pad.center_mm[0] > 5.0  # in the right cerebellopontine angle
    actor = win.scene_view.presenter.plan.pad_actors[pid]
    np.testing.assert_allclose(np.array(actor.bounds).reshape(3, 2).mean(axis=1), pad.center_mm, atol=0.35)
    assert d.findings.decompression["status"] == "decompressed"
    assert "Decompression: decompressed" in win.findings_panel.text()
    d.load_scenario(load_preset(PRESET))  # back to the left for the module's next test
    settle(qtbot, win)
