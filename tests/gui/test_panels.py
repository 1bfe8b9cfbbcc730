"""Findings panel and vessel panel, driven through a bare SceneDocument (no main window)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from viewer.analysis import format_report, severity_for
from viewer.anatomy import SEGMENT_NAMES, build_anatomy
from viewer.gui.document import SceneDocument
from viewer.gui.findings_panel import SEVERITY_COLOURS, TABLE_COLUMNS, FindingsPanel, headline, tag_words
from viewer.gui.vessel_panel import HELP, HINT, ORIGIN_NOTE, VesselPanel
from viewer.scene_model import SceneModel
from viewer.sources import BIBLIOGRAPHY

pytestmark = pytest.mark.gui

ARC_MM = 4.0  # where the AICA is pushed onto CN VII (attached segment)


@pytest.fixture(scope="module")
def facial_nerve():
    return build_anatomy().facial_nerve


@pytest.fixture
def document(qapp, mesh_set, anatomy):
    doc = SceneDocument(SceneModel(anatomy, structures=mesh_set.structures))
    yield doc
    doc.deleteLater()


@pytest.fixture
def findings_panel(document, qtbot):
    panel = FindingsPanel(document)
    qtbot.addWidget(panel)
    panel.resize(520, 800)
    panel.show()
    return panel


@pytest.fixture
def vessel_panel(document, qtbot):
    panel = VesselPanel(document)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def push_aica_onto_nerve(document, facial_nerve) -> None:
    """Move the AICA handle nearest to CN VII at arc 4 mm onto the nerve, 0.5 mm deep, from anterior."""
    i = int(np.argmin(np.abs(facial_nerve.arc_mm - ARC_MM)))
    p = facial_nerve.points_mm[i]
    aica = document.scenario.vessel("aica")
    j = int(np.argmin(np.linalg.norm(aica.handles_mm - p, axis=1)))
    target = p + np.array([0.0, facial_nerve.radius_mm + aica.radius_mm - 0.5, 0.0])
    assert document.move_handle("aica", j, target)


def type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


# ---------------------------------------------------------------------- findings panel
def test_default_anatomy_reads_no_contact_in_green(findings_panel, document):
    f = document.findings
    assert f.classification == ("idiopathic",)
    assert findings_panel.headline_label.text() == headline(f) == "No contact \u2014 normal anatomy (idiopathic)"
    assert findings_panel.headline_label.property("severity") == "none"
    assert SEVERITY_COLOURS["none"][0] in findings_panel.headline_label.styleSheet()
    assert findings_panel.table.rowCount() == 0
    assert "Culprit: none" in findings_panel.text()


def test_fonts_are_large_enough(findings_panel):
    assert findings_panel.font().pointSizeF() >= 11
    hf = findings_panel.headline_label.font()
    assert hf.pointSizeF() >= 14 and hf.bold()
    assert findings_panel.headline_label.wordWrap()


def test_aica_on_the_attached_segment_updates_the_headline_after_the_coalesced_analysis(
    findings_panel, document, facial_nerve, qtbot
):
    before = findings_panel.headline_label.text()
    push_aica_onto_nerve(document, facial_nerve)
    # the panel waits for the document's coalesced analysis: nothing changes synchronously
    assert findings_panel.headline_label.text() == before
    qtbot.waitUntil(lambda: findings_panel.findings is document.findings, timeout=2000)

    f = document.findings
    cc = f.culprit_contact()
    assert cc is not None and cc.id == "aica" and f.culprit == "aica"
    # the segment follows from the arc length, independently of the analysis
    expected_segment = str(facial_nerve.segment_at(ARC_MM))
    assert expected_segment == "AS"
    assert cc.segment == expected_segment
    assert cc.severity == severity_for(cc.penetration_mm, 2 * facial_nerve.radius_mm)
    text = findings_panel.headline_label.text()
    assert text == headline(f)
    for words in ("AICA", SEGMENT_NAMES[expected_segment], cc.severity, f"{cc.myelin} myelin"):
        assert words in text, (words, text)
    assert ("likely symptomatic" in text) == f.mechanism.likely_symptomatic
    sev = findings_panel.headline_label.property("severity")
    assert sev == cc.severity
    assert SEVERITY_COLOURS[sev][0] in findings_panel.headline_label.styleSheet()
    assert "single vessel" in findings_panel.text()


def test_contact_table_has_one_row_per_contact_and_the_culprit_in_bold(findings_panel, document, facial_nerve, qtbot):
    push_aica_onto_nerve(document, facial_nerve)
    document.flush()
    f = document.findings
    table = findings_panel.table
    assert table.rowCount() == len(f.all_contacts) >= 1
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == list(TABLE_COLUMNS)
    culprit = f.culprit_contact()
    for row, c in enumerate(f.all_contacts):
        assert table.item(row, 0).text() == c.label
        assert table.item(row, 1).text() == c.structure
        assert table.item(row, 3).text() == c.severity
        assert float(table.item(row, 5).text()) == pytest.approx(c.gap_mm, abs=0.006)
        assert table.item(row, 0).font().bold() == (c == culprit)
    assert not table.isHidden()
    # undo: back to no contact, empty table
    document.undo_stack.undo()
    document.flush()
    assert table.rowCount() == 0 and table.isHidden()


def test_classification_mechanism_management_and_full_citations_are_shown(findings_panel, document, facial_nerve):
    push_aica_onto_nerve(document, facial_nerve)
    document.flush()
    f = document.findings
    text = findings_panel.text()
    for tag in f.classification:
        assert tag_words(tag) in text
    assert f.mechanism.summary in text
    for step in f.mechanism.steps + f.mechanism.management:
        assert step in text
    for key in f.mechanism.sources:
        assert BIBLIOGRAPHY[key] in text
        assert f"[{key}]" not in text  # full citations, not keys


def test_copy_as_text_puts_the_report_on_the_clipboard(findings_panel, document, facial_nerve, qtbot):
    push_aica_onto_nerve(document, facial_nerve)
    document.flush()
    QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(document.statusMessage, timeout=1000):
        qtbot.mouseClick(findings_panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == format_report(document.findings)


def test_tag_words_are_readable():
    assert tag_words("double") == "double (REZ + cisternal)"
    assert tag_words("tandem").startswith("tandem (vertebral artery pushing")
    assert tag_words("tumor") == "tumour"
    assert tag_words("post_bells") == "post-Bell's palsy"
    assert tag_words("brainstem_lesion") == "brainstem lesion"


# ---------------------------------------------------------------------- vessel panel
def test_hint_when_nothing_or_a_non_vessel_is_selected(vessel_panel, document):
    assert vessel_panel.title_label.text() == HINT
    assert vessel_panel.editor.isHidden()
    document.select("aica")
    assert vessel_panel.title_label.text() == "Left AICA"
    assert "anterior inferior cerebellar artery" in vessel_panel.role_label.text()
    assert not vessel_panel.editor.isHidden()
    assert vessel_panel.help_label.text() == HELP
    document.select("cn7")  # a nerve is not a vessel
    assert vessel_panel.title_label.text() == HINT
    assert vessel_panel.editor.isHidden()


def test_radius_edit_changes_the_scenario_and_is_undoable(vessel_panel, document, qtbot):
    document.select("aica")
    original = document.scenario.vessel("aica").radius_mm
    box = vessel_panel.radius_spin
    assert (box.minimum(), box.maximum(), box.singleStep()) == (0.2, 6.0, 0.05)
    assert box.value() == pytest.approx(original)
    type_into(qtbot, box, "1.25")
    assert document.scenario.vessel("aica").radius_mm == pytest.approx(1.25)
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.scenario.vessel("aica").radius_mm == original
    assert box.value() == pytest.approx(original)  # the panel follows the undo
    document.undo_stack.redo()
    assert box.value() == pytest.approx(1.25)


def test_handle_selector_and_document_stay_in_sync(vessel_panel, document):
    document.select("aica")
    n = len(document.scenario.vessel("aica").centerline_mm)
    assert vessel_panel.handle_spin.maximum() == n
    vessel_panel.handle_spin.setValue(4)
    assert document.selected_handle == 3
    document.select_handle(7)
    assert vessel_panel.handle_spin.value() == 8
    h = document.scenario.vessel("aica").centerline_mm[7]
    assert [b.value() for b in vessel_panel.coord_spins] == pytest.approx(h, abs=0.005)
    document.select_handle(-1)
    assert vessel_panel.handle_spin.value() == 0
    assert not any(b.isEnabled() for b in vessel_panel.coord_spins)


def test_editing_x_moves_the_handle_by_the_typed_amount(vessel_panel, document, qtbot):
    document.select("aica")
    document.select_handle(7)  # lateral, far from the brainstem: no clamping
    before = document.scenario.vessel("aica").handles_mm
    new_x = round(before[7, 0] - 1.25, 2)
    type_into(qtbot, vessel_panel.x_spin, f"{new_x:.2f}")
    after = document.scenario.vessel("aica").handles_mm
    assert after[7, 0] == pytest.approx(new_x, abs=1e-6)
    assert after[7, 1:] == pytest.approx(before[7, 1:], abs=1e-9)  # untouched axes keep their stored values
    others = np.delete(np.arange(len(before)), 7)
    assert np.array_equal(after[others], before[others])
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert np.array_equal(document.scenario.vessel("aica").handles_mm, before)
    assert vessel_panel.x_spin.value() == pytest.approx(before[7, 0], abs=0.005)


def test_panel_follows_moves_made_elsewhere_without_editing_back(vessel_panel, document):
    document.select("aica")
    document.select_handle(5)
    target = document.scenario.vessel("aica").handles_mm[5] + [-0.5, 0.3, 0.2]
    assert document.move_handle("aica", 5, target)
    assert document.undo_stack.count() == 1  # the refresh pushed nothing
    shown = [b.value() for b in vessel_panel.coord_spins]
    assert shown == pytest.approx(document.scenario.vessel("aica").centerline_mm[5], abs=0.005)


def test_origin_handle_is_read_only(vessel_panel, document, qtbot):
    document.select("aica")
    document.select_handle(0)
    assert vessel_panel.handle_spin.value() == 1
    assert vessel_panel.handle_note.text() == ORIGIN_NOTE
    assert not vessel_panel.handle_note.isHidden()
    assert all(b.isReadOnly() for b in vessel_panel.coord_spins)
    before = document.scenario
    type_into(qtbot, vessel_panel.x_spin, "5.00")
    assert document.scenario == before
    assert document.undo_stack.count() == 0
    document.select_handle(1)
    assert not any(b.isReadOnly() for b in vessel_panel.coord_spins)
    assert vessel_panel.handle_note.text() != ORIGIN_NOTE
