"""Patient cases in the real window: import through the dialogs (progress, roles), the case on
screen (structure groups, actors, picking, labels, views), save and reopen, export, cancel and
bad input that leave the scene alone, drag and drop, autosave recovery, undo of a role."""

from pathlib import Path

import numpy as np
import pytest
from gui_helpers import qimage_to_array, visible_surface_point, widget_pos_of
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from viewer.case import ROLE_TITLES
from viewer.patient.casefile import read_case
from viewer.patient.demo import demo_files
from viewer.patient.importer import import_files
from viewer.scenario import default_scenario

pytestmark = pytest.mark.gui


@pytest.fixture
def cw(win, qtbot, tmp_path):
    """The window back on the model, with its own settings (recent files)."""
    from PySide6.QtCore import QSettings

    win.files.settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win.files._set_path(None)
    yield win
    if win.files.error_box is not None:
        win.files.error_box.close()
    if win.cases.role_dialog is not None:
        win.cases.role_dialog.reject()
    win.cases.wait()
    qtbot.wait(20)
    win.document.load_scenario(default_scenario())
    win.files.settings = None


def run_import(win, qtbot, paths):
    """Start an import as File > Import does and wait for the role dialog."""
    assert win.cases.import_paths(paths)
    assert win.cases.progress_dialog is not None and win.cases.progress_dialog.isVisible()
    qtbot.waitUntil(lambda: win.cases.role_dialog is not None, timeout=120000)
    return win.cases.role_dialog


def open_demo(win, qtbot, role_changes=()):
    dlg = run_import(win, qtbot, demo_files("nifti"))
    for sid, role, vessel_role in role_changes:
        dlg.set_role(sid, role, vessel_role)
    with qtbot.waitSignal(win.cases.importFinished, timeout=10000) as sig:
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert sig.args == [True]
    win.scene_view.render_now()
    return win.document.case


def view_image(win):
    win.scene_view.render_now()
    return qimage_to_array(win.scene_view.plotter.grab().toImage())


def test_import_demo_through_the_dialogs_shows_the_case(cw, qtbot):
    before = view_image(cw)
    dlg = run_import(cw, qtbot, demo_files("nifti"))
    # the role dialog: one row per structure, with swatch, size and the guessed role
    n = len(dlg.case.structures)
    assert dlg.table.rowCount() == n and n >= 8
    assert not dlg.table.item(0, 0).icon().isNull()
    assert "mm\u00b3" in dlg.table.item(0, 2).text()
    guessed = {s.id: s.role for s in dlg.case.structures}
    assert guessed["facial_nerve_cn_vii"] == "facial_nerve" and guessed["left_aica"] == "vessel"
    assert dlg.role_boxes["left_aica"].currentData() == "vessel"
    assert dlg.vessel_boxes["left_aica"].currentData() == "aica"
    dlg.set_role("vein_of_the_pontomedullary_sulcus", "other")  # the user overrides a guess
    assert not dlg.vessel_boxes["vein_of_the_pontomedullary_sulcus"].isEnabled()
    with qtbot.waitSignal(cw.cases.importFinished, timeout=10000):
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    case = cw.document.case
    assert case is not None and case.structure("vein_of_the_pontomedullary_sulcus").role == "other"
    # structure panel: roles as groups, one item per structure
    groups = [
        cw.structure_panel.tree.topLevelItem(i).text(0) for i in range(cw.structure_panel.tree.topLevelItemCount())
    ]
    assert groups[0] == ROLE_TITLES["brainstem"] and ROLE_TITLES["vessel"] in groups and ROLE_TITLES["other"] in groups
    assert set(cw.structure_panel.items) == {s.id for s in case.structures}
    # the 3D view: the case's actors, the model's hidden
    actors = cw.scene_view.case_actors.actors
    assert set(actors) == set(cw.structure_panel.items) and all(a.GetVisibility() for a in actors.values())
    assert not cw.scene_view.scene.actors["brainstem"].GetVisibility()
    after = view_image(cw)
    assert np.abs(after.astype(int) - before.astype(int)).sum(axis=2).mean() > 5  # a different picture
    # the window says what is shown and that it is unsaved
    assert "hfs_demo" in cw.windowTitle() and "patient case" in cw.windowTitle() and cw.isWindowModified()
    assert cw.findings_panel.text().startswith("Patient case \u00b7 hfs_demo")
    assert "hfs_demo.nii.gz" in cw.findings_panel.text()
    assert cw.findings_panel.report_text().startswith("Patient case")  # Copy as text copies the case
    assert not cw.scenario_menu.actions()[0].isEnabled() and cw.close_case_action.isEnabled()


def test_case_views_labels_and_picking(cw, qtbot):
    case = open_demo(cw, qtbot)
    plotter = cw.scene_view.plotter
    meshes = cw.document.case_meshes
    cams = {}
    for view in ("anterior", "rez_closeup"):
        cw.document.set_view(view)
        cw.scene_view.render_now()
        cams[view] = np.asarray(plotter.camera.focal_point)
    nerve = np.asarray(meshes["facial_nerve_cn_vii"].points)
    assert np.min(np.linalg.norm(nerve - cams["rez_closeup"], axis=1)) < 1e-6  # aimed on CN VII's root exit
    # labels: one per visible structure, on the case
    cw.document.set_labels(True)
    assert cw.scene_view.case_actors._label_actor is not None
    labelled = cw.scene_view.screenshot()
    clean = cw.scene_view.screenshot(annotations=False)  # a clean figure leaves the case's labels out
    assert np.abs(labelled.astype(int) - clean.astype(int)).sum() > 0
    assert cw.scene_view.case_actors._label_actor.GetVisibility()
    cw.document.set_labels(False)
    assert cw.scene_view.case_actors._label_actor is None
    # a real click on the facial nerve names it in the Info panel (the vessels in front hidden)
    for s in case.structures:
        if s.role == "vessel":
            cw.document.set_visible(s.id, False)
    cw.document.set_view("rez_closeup")
    cw.scene_view.render_now()
    centre = nerve.mean(axis=0)
    point = visible_surface_point(
        meshes["facial_nerve_cn_vii"],
        np.linalg.norm(nerve - centre, axis=1) < 3.0,
        plotter.camera.position,
    )
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(*widget_pos_of(plotter, point)))
    text = cw.info_panel.text()
    assert text.splitlines()[0] == case.structure("facial_nerve_cn_vii").name
    assert "Patient structure, facial nerve" in text and "mm\u00b3" in text
    assert cw.document.selected == "facial_nerve_cn_vii"
    # hiding it in the panel hides the actor
    cw.document.set_visible("facial_nerve_cn_vii", False)
    assert not cw.scene_view.case_actors.actors["facial_nerve_cn_vii"].GetVisibility()


def test_role_change_is_undoable_and_regroups_the_panel(cw, qtbot):
    open_demo(cw, qtbot)
    d = cw.document
    d.undo_stack.setClean()
    menu = cw.structure_panel.build_context_menu("left_pica")
    role_menu = next(a.menu() for a in menu.actions() if a.menu() is not None and a.text() == "Role")
    other = next(a for a in role_menu.actions() if a.text() == ROLE_TITLES["other"])
    other.trigger()
    assert d.case.structure("left_pica").role == "other"
    assert cw.structure_panel.items["left_pica"].parent().text(0) == ROLE_TITLES["other"]
    assert cw.isWindowModified()
    d.undo_stack.undo()
    assert d.case.structure("left_pica").role == "vessel"
    assert cw.structure_panel.items["left_pica"].parent().text(0) == ROLE_TITLES["vessel"]
    menu.deleteLater()


def test_save_reopen_and_export(cw, qtbot, tmp_path):
    open_demo(cw, qtbot, [("left_pica", "other", None)])
    cw.document.set_colour("left_aica", (10, 200, 30))
    out = tmp_path / "patient.hfscase"
    assert cw.files.save_to(out)
    assert not cw.isWindowModified() and "patient.hfscase" in cw.windowTitle()
    saved, meshes = read_case(out)
    assert saved.structure("left_pica").role == "other" and saved.structure("left_aica").colour == (10, 200, 30)
    # no path or header text of the source in the archive
    text = out.read_bytes()
    assert str(demo_files("nifti")[0].parent).encode() not in text
    # back to the model, then open the case again from the recent list
    cw.document.load_scenario(default_scenario())
    assert cw.document.case is None and cw.scene_view.scene.actors["brainstem"].GetVisibility()
    # the model's actions are back as the model wants them: Add tumour yes, Insert pad not (no contact)
    assert cw.add_lesion_actions["tumor"].isEnabled() and not cw.insert_pad_action.isEnabled()
    assert str(out.resolve()) in cw.files.recent_files()
    assert cw.files.open_recent(str(out.resolve()))
    assert cw.document.case.structure("left_pica").role == "other"
    assert cw.document.colour("left_aica") == (10, 200, 30)
    # export what is shown (hidden structures stay out), as LPS STL per structure, and re-import
    cw.document.set_visible("petrous_bone", False)
    written = cw.cases.export_surfaces("stl", "LPS", tmp_path / "stl")
    assert {p.stem for p in written} == {s.id for s in cw.document.case.structures} - {"petrous_bone"}
    back = import_files([tmp_path / "stl" / "left_aica.stl"])
    mesh = back.meshes[back.case.structures[0].id]
    assert back.case.sources[0].space == "LPS"  # the tag was written and read
    np.testing.assert_allclose(mesh.bounds, meshes["left_aica"].bounds, atol=0.05)


def test_cancel_and_bad_input_leave_the_scene_alone(cw, qtbot, tmp_path):
    d = cw.document
    v = d.scenario.vessel("aica")
    d.move_handle("aica", 5, v.handles_mm[5] + [0.5, 0.0, 0.0])
    edited, depth = d.scenario, d.undo_stack.count()
    # cancel at once: the worker stops at its next progress report
    assert cw.cases.import_paths(demo_files("nifti"))
    with qtbot.waitSignal(cw.cases.importFinished, timeout=60000) as sig:
        cw.cases.progress_dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    assert sig.args == [False] and cw.cases.role_dialog is None
    assert d.case is None and d.scenario == edited and d.undo_stack.count() == depth
    # a truncated .nii.gz: one error naming the file, nothing changed
    src = demo_files("nifti")[0].read_bytes()
    bad = tmp_path / "truncated.nii.gz"
    bad.write_bytes(src[: len(src) // 3])
    with qtbot.waitSignal(cw.cases.importFinished, timeout=60000) as sig:
        assert cw.cases.import_paths([bad])
    assert sig.args == [False]
    assert "truncated.nii.gz" in cw.files.last_error and cw.files.error_box.isVisible()
    assert d.case is None and d.scenario == edited
    # a broken case file
    broken = tmp_path / "broken.hfscase"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert not cw.files.open_path(broken, confirm=False)
    assert "broken.hfscase" in cw.files.last_error and d.case is None and d.scenario == edited
    # refusing the roles keeps the scene too
    dlg = run_import(cw, qtbot, demo_files("nifti"))
    with qtbot.waitSignal(cw.cases.importFinished, timeout=10000) as sig:
        dlg.reject()
    assert sig.args == [False] and d.case is None and d.scenario == edited


def test_dropping_a_label_map_imports_it(cw, qtbot):
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in demo_files("nifti")])
    ev = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    cw.dropEvent(ev)
    qtbot.waitUntil(lambda: cw.cases.role_dialog is not None, timeout=120000)
    assert len(cw.cases.role_dialog.case.structures) >= 8


def test_autosave_of_a_case_is_recovered(cw, qtbot, tmp_path):
    from viewer.gui.files import Recoverable

    case = open_demo(cw, qtbot, [("left_pica", "other", None)])
    assert cw.files.autosave()
    path = cw.files._autosave_case
    assert path.is_file()
    cw.document.load_scenario(default_scenario())
    item = Recoverable(path, cw.files._autosave_meta, 0.0, None, case.name)
    assert cw.files.recover(item)
    assert cw.document.case.structure("left_pica").role == "other" and cw.isWindowModified()
    assert not Path(path).exists()


def test_run_gui_screenshot_of_a_case(qapp, tmp_path):
    """`hfs-viewer --case X --screenshot` shows the case with its own findings: a case voxelised from
    the AICA preset reads amber (moderate) where the model's default scene would read green."""
    from gui_helpers import colour_counts
    from PySide6.QtGui import QImage

    from viewer.gui.app import run_gui
    from viewer.patient.casefile import write_case
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    result = import_scenario_case(load_preset("aica-attached-segment"))
    path = write_case(tmp_path / "aica.hfscase", result.case, result.meshes)
    case, meshes = read_case(path)
    out = tmp_path / "case.png"
    assert run_gui(view="rez_closeup", screenshot=out, size=(1280, 800), case=(path, case, meshes)) == 0
    img = qimage_to_array(QImage(str(out)))
    counts = colour_counts(img)
    assert counts["yellow"] > 500 and counts["red"] > 2000 and counts["tan"] > 20000
    amber = np.all(img == (0xFF, 0xB3, 0x00), axis=2).sum()  # the headline: moderate compression
    green = np.all(img == (0x1B, 0x5E, 0x20), axis=2).sum()
    assert amber > 5000 and green == 0


def test_case_is_analysed_on_its_own_geometry_and_follows_the_roles(cw, qtbot):
    """A case voxelised from the AICA preset: the Findings panel, callouts and landmark markers
    come from the case's own analysis; taking the vessel role from the AICA re-analyses it."""
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    result = import_scenario_case(load_preset("aica-attached-segment"))
    cw.document.set_view("rez_closeup")
    cw.cases.show_case(result.case, result.meshes, None)
    assert "measuring" in cw.findings_panel.text()  # pending while the worker measures
    cw.cases.wait_analysis()
    d = cw.document
    assert d.case_analysis_error == "" and d.case_findings is not None
    text = cw.findings_panel.text()
    assert text.startswith("aica \u00b7 attached segment") and "Anatomy: Patient case" in text
    table = cw.findings_panel.table
    assert table.rowCount() >= 1 and table.item(0, 0).text() == "aica"
    assert table.horizontalHeaderItem(6).text() == "Side; nerve shape" and "radius -" in table.item(0, 6).text()
    shown = [c.GetCaption() for c in cw.scene_view.callouts.actors if c.GetVisibility()]
    assert any(t.startswith("aica \u00bb attached segment") for t in shown)
    landmarks = cw.scene_view.case_actors._landmark_actors
    assert landmarks and landmarks[0].GetVisibility()
    # the AICA is no longer a vessel: nothing touches CN VII any more
    d.set_structure_role("aica", "other")
    cw.cases.wait_analysis()
    assert d.case_findings is not None and not d.case_findings.contacts
    assert not any(c.GetVisibility() and c.GetCaption().startswith("aica") for c in cw.scene_view.callouts.actors)
    d.undo_stack.undo()
    cw.cases.wait_analysis()
    assert d.case_findings.culprit == "aica"
    # back to the model: its own findings and no case callout
    d.load_scenario(default_scenario())
    cw.scene_view.render_now()
    assert cw.findings_panel.text().startswith("No contact")
    assert not any(
        c.GetVisibility() and c.GetCaption().startswith("aica \u00bb") for c in cw.scene_view.callouts.actors
    )


def test_a_case_that_cannot_be_analysed_says_why(cw, qtbot):
    case = open_demo(cw, qtbot, [("facial_nerve_cn_vii", "other", None)])
    assert case.structure("facial_nerve_cn_vii").role == "other"
    cw.cases.wait_analysis()
    assert cw.document.case_findings is None and "facial_nerve" in cw.document.case_analysis_error
    assert "no structure with the role of a facial nerve" in cw.findings_panel.text()


def test_placing_the_root_exit_point_by_clicking_the_nerve(cw, qtbot):
    """Case > Place root exit point, a real click on the nerve: the landmark moves there, the
    segment map follows (re-analysis), undo brings the derived one back."""
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    result = import_scenario_case(load_preset("aica-attached-segment"))
    cw.cases.show_case(result.case, result.meshes, None)
    cw.cases.wait_analysis()
    d = cw.document
    derived = np.asarray(d.case_geometry.anatomy.landmarks["root_exit_point"])
    assert all(a.isEnabled() for a in cw.landmark_actions.values())
    for s in d.case.structures:  # nothing in front of the nerve
        if s.role in ("vessel", "vestibulocochlear_nerve", "bone"):
            d.set_visible(s.id, False)
    d.set_view("rez_closeup")
    cw.scene_view.render_now()
    plotter = cw.scene_view.plotter
    nerve = d.case_meshes["cn7"]
    pts = np.asarray(nerve.points)
    # a point 3 mm further along the nerve than the derived root exit point
    arc = d.case_geometry.anatomy.facial_nerve
    target = np.asarray(arc.points_mm)[np.searchsorted(arc.arc_mm, 3.0)]
    near = np.linalg.norm(pts - target, axis=1) < 1.5
    surface = visible_surface_point(nerve, near, plotter.camera.position)
    cw.landmark_actions["root_exit_point"].trigger()
    assert cw.scene_view.click_tool is not None
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(*widget_pos_of(plotter, surface)))
    assert cw.scene_view.click_tool is None and not cw.landmark_actions["root_exit_point"].isChecked()
    placed = np.asarray(d.case.landmarks["root_exit_point"])
    assert np.linalg.norm(placed - surface) < 1.5 and cw.isWindowModified()
    cw.cases.wait_analysis()
    moved = np.asarray(d.case_geometry.anatomy.landmarks["root_exit_point"])
    assert np.linalg.norm(moved - derived) > 1.5  # the segment map starts at the new point
    d.undo_stack.undo()
    cw.cases.wait_analysis()
    assert "root_exit_point" not in d.case.landmarks
    np.testing.assert_allclose(d.case_geometry.anatomy.landmarks["root_exit_point"], derived, atol=1e-6)
    # a click beside the nerve is refused while placing; Esc cancels
    cw.landmark_actions["root_detachment_point"].trigger()
    qtbot.mouseClick(plotter, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert "root_detachment_point" not in d.case.landmarks and cw.scene_view.click_tool is not None
    assert cw.cancel_landmark_action.isEnabled()
    cw.activateWindow()
    qtbot.waitUntil(cw.isActiveWindow, timeout=3000)
    qtbot.keyClick(plotter, Qt.Key.Key_Escape)
    assert cw.scene_view.click_tool is None and not cw.cancel_landmark_action.isEnabled()


def test_report_of_a_case_says_the_anatomy_is_the_patients(cw, qtbot, tmp_path):
    import pypdf

    from viewer.gui.exports import export_report
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    result = import_scenario_case(load_preset("aica-attached-segment"))
    cw.cases.show_case(result.case, result.meshes, None)
    cw.document.set_view("left_lateral")
    cw.cases.wait_analysis()
    assert cw.export_report_action.isEnabled()
    out = export_report(cw, tmp_path / "case.pdf")
    assert out is not None and cw.document.current_view == "left_lateral"  # the view is put back
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(out)).pages)
    text = " ".join(text.split())
    assert "the anatomy is the patient's own, from synthetic.nii.gz (nifti, RAS frame)" in text
    assert "depends on the segmentation" in text and "Teaching model" not in text
    assert "attached segment" in text and "aica" in text and "course moved" in text


def test_dragging_a_patient_vessel_off_the_nerve_with_a_ghost_and_undo(cw, qtbot):
    """Select the patient's AICA, Shift-drag its loop off CN VII with real mouse events: the vessel
    is drawn as its tube, its surface becomes a ghost, the live analysis loses the contact; undo."""
    from viewer.gui.case_editing import GHOST_OPACITY
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset

    result = import_scenario_case(load_preset("aica-attached-segment"))
    cw.cases.show_case(result.case, result.meshes, None)
    cw.document.set_view("anterior")
    cw.cases.wait_analysis()
    d, view = cw.document, cw.scene_view
    contact = d.case_findings.culprit_contact()
    assert contact.id == "aica" and contact.structure == "CN VII"
    d.select("aica")
    view.render_now()
    aica = d.case_vessels()["aica"]
    assert view.handles.actor.GetVisibility()
    np.testing.assert_allclose(view.handles.points, aica.handles_mm)
    nerve_pt = np.asarray(contact.nerve_point_mm)
    k = int(np.argmin(np.linalg.norm(aica.handles_mm - nerve_pt, axis=1)))
    start = aica.handles_mm[k]
    right, up, forward = view.camera_axes()
    away = start - nerve_pt
    away -= np.dot(away, forward) * forward  # the drag stays in the plane facing the camera
    away /= np.linalg.norm(away)
    end = start + 5.0 * away
    w = view.widget
    a, b = QPoint(*widget_pos_of(w, start)), QPoint(*widget_pos_of(w, end))
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.keyPress(w, Qt.Key.Key_Shift)
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, shift, a)
    for t in np.linspace(0, 1, 8)[1:]:
        qtbot.mouseMove(w, QPoint(round(a.x() + t * (b.x() - a.x())), round(a.y() + t * (b.y() - a.y()))))
        qtbot.wait(5)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, shift, b)
    qtbot.keyRelease(w, Qt.Key.Key_Shift)
    view.render_now()
    assert d.undo_stack.count() == 1  # one drag, one undo step
    moved = d.case_vessels()["aica"]
    assert np.linalg.norm(moved.handles_mm[k] - start) > 3.0
    assert np.linalg.norm(moved.handles_mm[0] - aica.handles_mm[0]) < 1e-3  # the origin stays
    assert "aica" in view.case_actors.tube_actors and view.case_actors.tube_actors["aica"].GetVisibility()
    assert abs(view.case_actors.actors["aica"].GetProperty().GetOpacity() - GHOST_OPACITY) < 1e-6
    assert not any(c.id == "aica" and c.structure == "CN VII" for c in d.case_findings.contacts)
    assert not cw.findings_panel.text().startswith("aica")
    d.undo_stack.undo()
    view.render_now()
    assert "aica" not in view.case_actors.tube_actors
    assert view.case_actors.actors["aica"].GetProperty().GetOpacity() == 1.0
    assert d.case_findings.culprit == "aica" and cw.findings_panel.text().startswith("aica")


def test_mechanism_view_on_a_case(cw, qtbot):
    """M on a case: the patient's CN VII coloured by myelin along its own arc (central blue at the
    root, peripheral green beyond the TZ), the patch under the culprit, captions instead of the
    callouts; off again gives the nerve's colour and the case's callouts back."""
    from viewer.patient.synthetic import import_scenario_case
    from viewer.presets import load_preset
    from viewer.render.mechanism import MYELIN_COLOURS

    result = import_scenario_case(load_preset("aica-attached-segment"))
    d = cw.document
    cw.cases.show_case(result.case, result.meshes, None)
    assert not cw.mechanism_action.isEnabled()  # no findings yet
    cw.cases.wait_analysis()
    assert cw.mechanism_action.isEnabled()
    cw.mechanism_action.trigger()
    qtbot.waitUntil(lambda: cw.mechanism.frames >= 3, timeout=10000)
    view = cw.mechanism.view
    assert view.scene is cw.scene_view.case_actors and view.nerve_id == "cn7"
    mesh = cw.scene_view.case_actors.meshes["cn7"]
    arc = np.asarray(mesh.point_data["arc_mm"])
    rgb = np.asarray(mesh.point_data["myelin_rgb"])
    near_root = (arc > 0.5) & (arc < 2.0)
    far = arc > 14.0
    assert near_root.any() and far.any()
    assert np.all(np.median(rgb[far], axis=0) == MYELIN_COLOURS["peripheral"])
    assert np.median(rgb[near_root], axis=0)[2] > 150  # central: blue (the patch may tint it)
    assert view.plan.culprit_id == "aica" and view.plan.patch_arc_mm is not None
    assert "Mechanism" in cw.statusBar().currentMessage() or cw.mechanism.caption_text()
    assert not any(c.GetVisibility() for c in cw.scene_view.callouts.actors)
    cw.mechanism_action.trigger()
    cw.scene_view.render_now()
    assert not cw.mechanism.playing
    assert any(c.GetVisibility() and c.GetCaption().startswith("aica") for c in cw.scene_view.callouts.actors)
    assert not cw.scene_view.case_actors.actors["cn7"].GetMapper().GetScalarVisibility()
    # closing the case drops its mechanism view; the model's still plays
    d.load_scenario(default_scenario())
    assert "case" not in cw.mechanism._views
    cw.mechanism_action.trigger()
    qtbot.waitUntil(lambda: cw.mechanism.frames >= 2, timeout=10000)
    assert cw.mechanism.view.scene is cw.scene_view.scene
    cw.mechanism_action.trigger()
