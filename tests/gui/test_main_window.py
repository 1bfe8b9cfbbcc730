"""The real main window under Xvfb: actors, structure tree, view presets, picking, export, dialogs.

Checks are on what the user sees: actors and their visibility, camera geometry,
panel text, and colours in rendered images.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import colour_counts, qimage_to_array, visible_surface_point, widget_pos_of
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from viewer import __version__
from viewer.gui.dialogs import ExportDialog, TextDialog
from viewer.render.views import VIEWS
from viewer.sources import BIBLIOGRAPHY

pytestmark = pytest.mark.gui


def _tree_item(win, sid):
    return win.structure_panel.items[sid]


def _set_checked(win, sid, on: bool):
    """What a click on the item's checkbox does: change its check state in the tree."""
    _tree_item(win, sid).setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def _camera(win):
    cam = win.scene_view.plotter.camera
    return np.array(cam.position), np.array(cam.focal_point)


# ---------------------------------------------------------------------- structures
def test_every_manifest_structure_has_an_actor_and_a_tree_row(win, mesh_set):
    scene = win.scene_view.scene
    ids = set(mesh_set.structures)
    assert len(ids) >= 15
    assert set(scene.actors) == ids
    renderer_actors = set(map(id, win.scene_view.plotter.renderer.actors.values()))
    for sid in ids:
        assert id(scene.actors[sid]) in renderer_actors, f"{sid} actor not in the renderer"
        assert scene.actors[sid].visibility == mesh_set.structures[sid].visible
        item = _tree_item(win, sid)
        assert item.text(0) == mesh_set.structures[sid].name
        assert (item.checkState(0) == Qt.CheckState.Checked) == mesh_set.structures[sid].visible
    groups = {win.structure_panel.group_items[g].text(0) for g in win.structure_panel.group_items}
    assert groups == {"Brainstem", "Nerves", "Arteries", "Veins", "Context"}


def test_unchecking_arteries_removes_red_from_the_image(win, qtbot):
    before = colour_counts(win.scene_view.screenshot())
    assert before["red"] > 2000, before
    # the "Arteries" group checkbox hides the group; the SCA sits in "Context"
    win.structure_panel.group_items["arteries"].setCheckState(0, Qt.CheckState.Unchecked)
    _set_checked(win, "sca", False)
    arteries = [sid for sid, s in win.document.structures.items() if s.kind == "artery"]
    assert all(not win.scene_view.scene.actors[sid].visibility for sid in arteries)
    after = colour_counts(win.scene_view.screenshot())
    assert after["red"] == 0, after
    assert after["yellow"] > 200 and after["tan"] > 5000, "the rest of the scene must stay"
    # "Defaults" brings them back
    qtbot.mouseClick(win.structure_panel.defaults_button, Qt.MouseButton.LeftButton)
    assert _tree_item(win, "basilar").checkState(0) == Qt.CheckState.Checked
    assert colour_counts(win.scene_view.screenshot())["red"] > 2000


def test_unchecking_the_vein_removes_blue_only(win):
    before = colour_counts(win.scene_view.screenshot())
    assert before["blue"] > 500, before
    _set_checked(win, "vein_pms", False)
    assert not win.document.is_visible("vein_pms")
    after = colour_counts(win.scene_view.screenshot())
    assert after["blue"] < 0.1 * before["blue"], (before, after)
    assert after["red"] > 0.9 * before["red"]


def test_isolate_from_context_menu_shows_only_that_structure_and_brainstem(win):
    menu = win.structure_panel.build_context_menu("cn7")
    isolate = next(a for a in menu.actions() if a.text().startswith("Isolate"))
    isolate.trigger()
    visible = {sid for sid, a in win.scene_view.scene.actors.items() if a.visibility}
    assert visible == {"cn7", "brainstem"}
    assert _tree_item(win, "aica").checkState(0) == Qt.CheckState.Unchecked
    counts = colour_counts(win.scene_view.screenshot())
    assert counts["red"] == 0 and counts["blue"] < 300 and counts["yellow"] > 200, counts  # blue: axes marker
    # the button variant works on the selected row
    win.structure_panel.tree.setCurrentItem(_tree_item(win, "aica"))
    assert win.document.selected == "aica"
    win.structure_panel.isolate_button.click()
    assert {sid for sid, a in win.scene_view.scene.actors.items() if a.visibility} == {"aica", "brainstem"}
    win.structure_panel.show_all_button.click()
    assert all(a.visibility for a in win.scene_view.scene.actors.values())


def test_opacity_box_makes_the_brainstem_see_through(win):
    before = colour_counts(win.scene_view.screenshot())
    box = win.structure_panel.opacity_boxes["brainstem"]
    box.setValue(0)
    assert win.scene_view.scene.opacity("brainstem") == 0.0
    after = colour_counts(win.scene_view.screenshot())
    assert after["tan"] < 0.1 * before["tan"], (before, after)
    box.setValue(100)
    assert win.scene_view.scene.opacity("brainstem") == 1.0


def test_colour_change_reaches_swatch_and_image(win):
    win.document.set_colour("vein_pms", (0, 255, 0))
    icon = win.structure_panel.swatches["vein_pms"].icon().pixmap(16, 16).toImage()
    assert icon.pixelColor(8, 8).getRgb()[:3] == (0, 255, 0)
    img = win.scene_view.screenshot()
    green = (img[..., 1] > 150) & (img[..., 0] < 80) & (img[..., 2] < 80)
    assert green.sum() > 300
    assert colour_counts(img)["blue"] < 200
    menu = win.structure_panel.build_context_menu("vein_pms")
    next(a for a in menu.actions() if a.text() == "Reset colour").trigger()
    assert colour_counts(win.scene_view.screenshot())["blue"] > 500


# ---------------------------------------------------------------------- views
EXPECTED_SIDE = {
    # (axis, sign): camera minus focal point along that axis
    "anterior": [(1, +1)],
    "left_lateral": [(0, -1)],
    "inferior": [(2, -1)],
    "superior": [(2, +1)],
    "retrosigmoid": [(1, -1), (0, -1)],
    "rez_closeup": [(1, +1), (2, -1)],  # from in front and below
    "keyhole": [(1, -1), (0, -1)],  # through the craniotomy: posterolateral
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_menu_preset_moves_camera_as_named(win, name):
    win.document.set_view("superior" if name != "superior" else "anterior")
    act = win.view_actions[name]
    assert act in win.view_menu.actions()
    act.trigger()
    pos, focal = _camera(win)
    d = pos - focal
    for axis, sign in EXPECTED_SIDE[name]:
        assert sign * d[axis] > 0.25 * np.linalg.norm(d), (name, d)
    assert win.document.current_view == name
    assert act.isChecked()
    assert VIEWS[name].title in win.statusBar().currentMessage()


def test_keyboard_shortcuts_and_reset_view(win, qtbot):
    from PySide6.QtTest import QTest

    win.activateWindow()
    QTest.qWaitForWindowActive(win, 3000)
    win.scene_view.plotter.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    for name, preset in VIEWS.items():
        qtbot.keyClick(win.scene_view.plotter, preset.shortcut)
        assert win.document.current_view == name, f"key {preset.shortcut}"
    # rotate the camera away, then R puts it back on the preset
    pos0, _ = _camera(win)
    win.scene_view.plotter.camera.Azimuth(40)
    assert np.linalg.norm(_camera(win)[0] - pos0) > 5
    qtbot.keyClick(win.scene_view.plotter, "r")
    assert np.allclose(_camera(win)[0], pos0, atol=1e-6)
    # L toggles the structure labels (an actor in the scene)
    qtbot.keyClick(win.scene_view.plotter, "l")
    assert win.document.labels_on and win.labels_action.isChecked()
    assert any(k.startswith("structure-labels") for k in win.scene_view.plotter.actors)
    qtbot.keyClick(win.scene_view.plotter, "l")
    assert not win.document.labels_on
    assert not any(k.startswith("structure-labels") for k in win.scene_view.plotter.actors)


# ---------------------------------------------------------------------- picking
def _click_on_cn7_at_arc(win, qtbot, arc_mm):
    plotter = win.scene_view.plotter
    mesh = win.scene_view.scene.mesh_set.meshes["cn7"]
    point = visible_surface_point(mesh, np.abs(mesh["arc_mm"] - arc_mm) < 0.3, plotter.camera.position)
    x, y = widget_pos_of(plotter, point)
    assert 0 <= x < plotter.width() and 0 <= y < plotter.height()
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    return point


@pytest.mark.parametrize(
    "arc, segment, myelin",
    [
        (4.0, "attached segment (AS)", "central"),
        (8.0, "root detachment point (RDP)", "central"),
        (15.0, "distal cisternal portion (CP)", "peripheral"),
    ],
)
def test_clicking_cn7_shows_name_segment_and_myelin(win, qtbot, arc, segment, myelin):
    point = _click_on_cn7_at_arc(win, qtbot, arc)
    text = win.info_panel.text()
    assert text.splitlines()[0] == "Facial nerve (CN VII)"
    assert f"Segment: {segment}" in text
    assert f"Myelin: {myelin}" in text
    assert "Facial nerve (CN VII)" in win.statusBar().currentMessage()
    assert segment in win.statusBar().currentMessage()
    assert win.document.selected == "cn7"
    assert win.structure_panel.tree.currentItem() is _tree_item(win, "cn7")
    picked = np.array(win.document.last_pick.point_mm)
    assert np.linalg.norm(picked - point) < 1.5


def test_clicking_a_vessel_and_the_background(win, qtbot):
    plotter = win.scene_view.plotter
    mesh = win.scene_view.scene.mesh_set.meshes["basilar"]
    centre = np.asarray(mesh.points).mean(axis=0)
    point = visible_surface_point(mesh, np.linalg.norm(mesh.points - centre, axis=1) < 4, plotter.camera.position)
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(*widget_pos_of(plotter, point)))
    text = win.info_panel.text()
    assert text.startswith("Basilar artery") and "Segment:" not in text
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))  # empty corner
    assert win.info_panel.text().startswith("Nothing selected")


def test_dragging_rotates_instead_of_picking(win, qtbot):
    plotter = win.scene_view.plotter
    mesh = win.scene_view.scene.mesh_set.meshes["cn7"]
    point = visible_surface_point(mesh, np.abs(mesh["arc_mm"] - 4.0) < 0.3, plotter.camera.position)
    x, y = widget_pos_of(plotter, point)
    pos0, _ = _camera(win)
    qtbot.mousePress(plotter, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    for step in range(1, 11):
        p = QPointF(x + 8 * step, y + 3 * step)
        ev = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            p,
            plotter.mapToGlobal(p),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(plotter, ev)
    qtbot.mouseRelease(plotter, Qt.MouseButton.LeftButton, pos=QPoint(x + 80, y + 30))
    assert np.linalg.norm(_camera(win)[0] - pos0) > 5, "the drag must rotate the camera"
    assert win.document.last_pick is None
    assert win.info_panel.text().startswith("Nothing selected")


# ---------------------------------------------------------------------- export and dialogs
def _run_modal(qtbot, trigger, handle):
    """Trigger an action that opens a modal dialog; `handle(dialog)` runs inside its event loop."""
    seen = []

    def poke():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, poke)
            return
        seen.append(dlg)
        handle(dlg)

    QTimer.singleShot(0, poke)
    result = trigger()
    assert seen, "no modal dialog appeared"
    return seen[0], result


def test_file_export_writes_png_of_chosen_size_with_scene_colours(win, qtbot, tmp_path):
    out = tmp_path / "export.png"

    def fill(dlg):
        assert isinstance(dlg, ExportDialog)
        dlg.path_edit.setText(str(out))
        dlg.choose_size((1000, 640))
        assert dlg.width_box.isEnabled()  # custom size
        qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)

    assert win.export_action in win.file_menu.actions()
    _, result = _run_modal(qtbot, win.export_action.trigger, fill)
    assert out.is_file()
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1000, 640)
    arr = qimage_to_array(img)
    assert arr.std() > 10, "blank image"
    counts = colour_counts(arr)
    assert counts["yellow"] > 300 and counts["red"] > 2000 and counts["tan"] > 20000, counts
    assert not list(tmp_path.glob(".export-*")), "temporary file left behind"
    assert "Exported" in win.statusBar().currentMessage()
    # the window's own view is untouched by the export
    assert win.scene_view.screenshot().shape[:2] == (win.scene_view.plotter.height(), win.scene_view.plotter.width())


def test_export_dialog_presets_and_cancel(win, qtbot, tmp_path):
    def check_and_cancel(dlg):
        dlg.size_combo.setCurrentIndex(3)
        assert dlg.image_size() == (3840, 2160) and not dlg.width_box.isEnabled()
        dlg.size_combo.setCurrentIndex(2)
        assert dlg.image_size() == (1920, 1080)
        dlg.path_edit.setText(str(tmp_path / "never.png"))
        dlg.reject()

    _, result = _run_modal(qtbot, win.export_image_dialog, check_and_cancel)
    assert result is None and not (tmp_path / "never.png").exists()


def test_help_about_lists_version_and_sources(win, qtbot):
    texts = []

    def read_and_close(dlg):
        assert isinstance(dlg, TextDialog)
        texts.append(dlg.browser.toPlainText())
        assert dlg.browser.verticalScrollBar().maximum() > 0, "source list should scroll"
        dlg.reject()

    assert win.about_action in win.help_menu.actions()
    _run_modal(qtbot, win.about_action.trigger, read_and_close)
    assert __version__ in texts[0]
    for citation in list(BIBLIOGRAPHY.values())[:3] + list(BIBLIOGRAPHY.values())[-2:]:
        assert citation in texts[0]
    _run_modal(qtbot, win.sources_action.trigger, read_and_close)
    assert "Tomii M" in texts[1]


def test_panels_use_readable_fonts(win):
    for widget in (win.structure_panel.tree, win.info_panel.description_label, win.menuBar()):
        assert widget.font().pointSizeF() >= 10
    assert win.info_panel.name_label.font().pointSizeF() > win.info_panel.description_label.font().pointSizeF()
