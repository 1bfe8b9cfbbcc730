"""The soak test's guards can fail: each detects what it is for (no window needed, seconds)."""

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QTimer, qCritical
from soak_helpers import Guards, expected_headline, headline_mismatch, rss_mb

from viewer.gui.document import SceneDocument
from viewer.gui.findings_panel import FindingsPanel
from viewer.presets import load_preset
from viewer.scene_model import SceneModel

pytestmark = pytest.mark.gui


def _raise_in_slot():
    raise ZeroDivisionError("injected")


def test_guards_catch_an_exception_in_a_qt_slot_and_restore_the_hook(qtbot):
    import sys

    hook = sys.excepthook
    with Guards() as g:
        QTimer.singleShot(0, _raise_in_slot)
        qtbot.wait(20)
        assert any("ZeroDivisionError: injected" in p for p in g.check())
    assert sys.excepthook is hook


def test_guards_catch_qt_critical_messages_and_vtk_errors(qtbot):
    from vtkmodules.vtkFiltersCore import vtkContourFilter

    with Guards() as g:
        qCritical("injected critical")
        assert g.check() == ["Qt QtCriticalMsg: injected critical"]
        vtkContourFilter().Update()  # no input: VTK reports an error, it raises nothing
        assert any(p.startswith("VTK error") for p in g.check())


def test_rss_sees_a_100_mb_allocation():
    before = rss_mb()
    block = bytearray(b"\x01") * (150 << 20)  # written, so resident
    assert rss_mb() - before > 100
    del block


def test_headline_check_sees_a_stale_panel(qtbot):
    doc = SceneDocument(SceneModel())
    panel = FindingsPanel(doc)
    qtbot.addWidget(panel)
    fake = SimpleNamespace(document=doc, findings_panel=panel)
    assert headline_mismatch(fake) is None
    doc.load_scenario(load_preset("aica-attached-segment"))
    assert headline_mismatch(fake) is None  # flushed: the panel follows
    assert "AICA" in expected_headline(fake)
    panel.show_findings = lambda _f: None  # a panel that stops listening ...
    doc.findingsChanged.disconnect()
    doc.findingsChanged.connect(panel.show_findings)
    doc.load_scenario(load_preset("idiopathic"))
    assert "AICA" in (headline_mismatch(fake) or "")  # ... is caught
    doc.close()
