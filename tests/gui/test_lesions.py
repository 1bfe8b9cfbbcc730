"""Lesions in the real window: added from the Scenario menu, drawn in the
3D view, moved with the mouse and the keys, resized, clamped, undone; prior Bell's palsy."""

import numpy as np
import pytest
from gui_helpers import widget_pos_of
from PySide6.QtCore import QPoint, Qt

from viewer.anatomy import brainstem_sdf
from viewer.render.style import LESION_COLOURS
from viewer.scenario import default_scenario

pytestmark = pytest.mark.gui


@pytest.fixture
def ed(win, qtbot):
    win.document.load_scenario(default_scenario())
    win.document.select("")
    qtbot.wait(20)
    return win


def settle(qtbot, win):
    qtbot.wait(30)
    win.scene_view.render_now()


def colour_pixels(win, rgb, tol=45):
    img = win.scene_view.screenshot()[..., :3].astype(int)
    return int((np.abs(img - np.array(rgb)).max(axis=-1) < tol).sum())


def test_add_each_lesion_from_the_menu_changes_the_diagnosis_and_undoes(ed, qtbot):
    d = ed.document
    menu_texts = [a.text() for a in ed.scenario_menu.actions()]
    assert any("tumour" in t for t in menu_texts) and any("AVM" in t for t in menu_texts)
    for kind, tag in (
        ("tumor", "tumor"),
        ("avm", "avm"),
        ("aneurysm", "aneurysm"),
        ("brainstem_lesion", "brainstem_lesion"),
    ):
        ed.add_lesion_actions[kind].trigger()
        settle(qtbot, ed)
        lid = d.selected
        assert d.selected_lesion is not None and d.selected_lesion.kind == kind
        assert tag in d.findings.classification, (kind, d.findings.classification)
        assert lid in ed.scene_view.presenter.lesion_actors
        assert d.findings.classification != ("idiopathic",)
        assert ed.findings_panel.headline_label.text()
        assert (
            kind.split("_")[0] in ed.lesion_panel.title_label.text().lower()
            or d.selected_lesion.label in ed.lesion_panel.title_label.text()
        )
        d.undo_stack.undo()
        settle(qtbot, ed)
        assert d.scenario == default_scenario()
        assert ed.scene_view.presenter.lesion_actors == {}
        assert d.findings.classification == ("idiopathic",)


def test_tumour_is_visible_and_its_dock_is_raised(ed, qtbot):
    d = ed.document
    d.set_view("rez_closeup")
    before = colour_pixels(ed, LESION_COLOURS["avm"])
    ed.add_lesion_actions["avm"].trigger()
    settle(qtbot, ed)
    assert colour_pixels(ed, LESION_COLOURS["avm"]) > before + 500
    assert not ed.lesion_dock.visibleRegion().isEmpty()
    assert ed.lesion_panel.editor.isVisible()


def test_drag_lesion_handle_moves_it_in_the_view_plane_as_one_undo_step(ed, qtbot):
    d = ed.document
    d.set_view("anterior")
    lid = d.add_lesion("tumor")
    settle(qtbot, ed)
    c0 = np.array(d.lesion(lid).center_mm)
    right, up, _ = ed.scene_view.camera_axes()
    target = c0 + 4.0 * right - 3.0 * up  # lateral and down: away from the brainstem
    w = ed.scene_view.widget
    a, b = QPoint(*widget_pos_of(w, c0)), QPoint(*widget_pos_of(w, target))
    steps_before = d.undo_stack.count()
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in np.linspace(0, 1, 6)[1:]:
        qtbot.mouseMove(w, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    settle(qtbot, ed)
    c1 = np.array(d.lesion(lid).center_mm)
    moved = c1 - c0
    assert np.dot(moved, right) == pytest.approx(4.0, abs=0.4)
    assert np.dot(moved, up) == pytest.approx(-3.0, abs=0.4)
    assert d.undo_stack.count() == steps_before + 1
    actor = ed.scene_view.presenter.lesion_actors[lid]
    np.testing.assert_allclose(np.array(actor.bounds).reshape(3, 2).mean(axis=1), c1, atol=0.05)
    d.undo_stack.undo()
    assert d.lesion(lid).center_mm == tuple(c0)


def test_keys_nudge_and_resize_the_selected_lesion(ed, qtbot):
    d = ed.document
    lid = d.add_lesion("avm")
    settle(qtbot, ed)
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    w = ed.scene_view.widget
    ed.activateWindow()
    QTest.qWaitForWindowActive(ed, 3000)
    w.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    c0 = np.array(d.lesion(lid).center_mm)
    r0 = np.array(d.lesion(lid).radii_mm)
    right = ed.scene_view.camera_axes()[0]
    qtbot.keyClick(w, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_allclose(np.array(d.lesion(lid).center_mm) - c0, -1.0 * right, atol=1e-3)
    qtbot.keyClick(w, "]")
    np.testing.assert_allclose(d.lesion(lid).radii_mm, r0 * 1.1, atol=1e-6)
    qtbot.keyClick(w, "[")
    np.testing.assert_allclose(d.lesion(lid).radii_mm, r0, atol=1e-6)
    # the numeric editor: one semi-axis
    box = ed.lesion_panel.radius_spins[2]
    box.setValue(5.0)
    assert d.lesion(lid).radii_mm[2] == pytest.approx(5.0)
    qtbot.keyClick(w, Qt.Key.Key_Delete)
    assert lid not in d.lesion_ids()
    assert d.selected == ""


def test_extra_axial_mass_stops_at_the_brainstem_and_plaque_stays_inside(ed, qtbot):
    d = ed.document
    messages = []
    d.statusMessage.connect(messages.append)
    lid = d.add_lesion("aneurysm")
    les = d.lesion(lid)
    d.move_lesion(lid, (-3.0, -3.0, 5.0))  # deep in the pons
    c = np.array(d.lesion(lid).center_mm)
    assert brainstem_sdf(c[None])[0] == pytest.approx(min(les.radii_mm), abs=0.05)
    assert any("cannot enter the brainstem" in m for m in messages)
    assert "cannot enter the brainstem" in ed.statusBar().currentMessage()
    pid = d.add_lesion("brainstem_lesion")
    d.move_lesion(pid, (-40.0, 0.0, 0.0))  # out into the CPA
    assert brainstem_sdf(np.array(d.lesion(pid).center_mm)[None])[0] < 0
    assert any("intra-axial" in m for m in messages)
    d.statusMessage.disconnect(messages.append)


def test_click_on_a_lesion_selects_it(ed, qtbot):
    d = ed.document
    d.set_view("rez_closeup")
    lid = d.add_lesion("avm")
    d.select("")
    settle(qtbot, ed)
    w = ed.scene_view.widget
    pos = QPoint(*widget_pos_of(w, d.lesion(lid).center_mm))
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    settle(qtbot, ed)
    assert d.selected == lid
    assert "arteriovenous" in ed.info_panel.description_label.text()
    assert "AVM" in ed.statusBar().currentMessage()


def test_prior_bells_palsy_toggle(ed, qtbot):
    d = ed.document
    ed.bells_action.trigger()
    assert d.scenario.history.prior_bells_palsy
    assert "post_bells" in d.findings.classification
    d.undo_stack.undo()
    assert not ed.bells_action.isChecked()
    assert "post_bells" not in d.findings.classification
