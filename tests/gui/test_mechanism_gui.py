"""The mechanism view in the real window: toggled with M, paced by a QTimer."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from viewer.presets import load_preset

pytestmark = pytest.mark.gui


@pytest.fixture
def mw(win, qtbot):
    yield win
    win.mechanism.pause()


def test_mechanism_view_animates_and_gives_the_callouts_back(mw, qtbot):
    d = mw.document
    d.load_scenario(load_preset("aica-attached-segment"))
    qtbot.wait(20)
    mw.scene_view.render_now()
    assert mw.scene_view.callouts.texts()
    mw.activateWindow()
    QTest.qWaitForWindowActive(mw, 3000)
    mw.scene_view.widget.setFocus()
    QTest.keyClick(mw.scene_view.widget, Qt.Key.Key_M)
    assert mw.mechanism.playing and mw.mechanism_action.isChecked()
    qtbot.waitUntil(lambda: mw.mechanism.frames >= 3, timeout=20000)
    view = mw.mechanism.view
    assert view.enabled and "AICA" in view.plan.culprit_label
    assert "/" in mw.mechanism.caption_text() and "Sources:" in mw.mechanism.caption_text()
    assert any("AICA" in c.text for c in view.plan.captions)  # captions tied to the findings
    assert mw.scene_view.callouts.texts() == []  # the mechanism's captions replace the callouts
    img1 = mw.scene_view.screenshot()
    qtbot.waitUntil(lambda: mw.mechanism.frames >= 8, timeout=20000)
    img2 = mw.scene_view.screenshot()
    assert np.abs(img1.astype(int) - img2.astype(int)).mean() > 0.05  # it moves
    assert d.scenario == load_preset("aica-attached-segment")  # the document is not edited
    QTest.keyClick(mw.scene_view.widget, Qt.Key.Key_M)
    assert not mw.mechanism.playing and not view.enabled
    qtbot.wait(50)
    mw.scene_view.render_now()
    assert mw.scene_view.callouts.texts()


def test_peripheral_contact_explains_less_likely_symptomatic(mw, qtbot):
    mw.document.load_scenario(load_preset("distal-cisternal-aica"))
    qtbot.wait(20)
    mw.mechanism.play()
    qtbot.waitUntil(lambda: mw.mechanism.frames >= 2, timeout=20000)
    assert "transition zone" in mw.mechanism.caption_text()  # the first caption places the contact
    plan = mw.mechanism.view.plan
    assert not plan.on_central_myelin and not plan.likely_symptomatic
    allcaps = " ".join(c.text for c in plan.captions).lower()
    assert "peripheral" in allcaps and "less likely" in allcaps
    mw.mechanism.pause()


def test_an_edit_during_playback_replans_on_the_new_nerve_course(mw, qtbot):
    """The plan comes from the document's state: fibres never stay on an old, deviated course."""
    d = mw.document
    d.load_scenario(load_preset("severe-deviation"))
    mw.mechanism.play()
    qtbot.waitUntil(lambda: mw.mechanism.frames >= 2, timeout=20000)
    deviated = d.state.deformation
    assert not deviated.is_rest
    np.testing.assert_allclose(mw.mechanism.view.plan.centerline_mm, deviated.centerline)
    culprit = d.scenario.vessel(d.findings.culprit)
    d.set_scenario(d.scenario.with_vessel(culprit.moved((0.0, 0.0, 15.0))), "Lift the culprit")
    qtbot.waitUntil(lambda: mw.mechanism.frames >= 4, timeout=20000)
    assert d.state.deformation.is_rest
    np.testing.assert_allclose(mw.mechanism.view.plan.centerline_mm, d.state.nerve_centerline_mm)
    np.testing.assert_allclose(mw.mechanism.view.plan.centerline_mm, mw.scene_view.deformation.centerline)


def test_panel_shows_the_see_through_opacity_of_the_mechanism_view(mw, qtbot):
    d = mw.document
    d.load_scenario(load_preset("aica-attached-segment"))
    box = mw.structure_panel.opacity_boxes["brainstem"]
    assert box.value() == 100
    mw.mechanism.play()
    drawn = mw.scene_view.scene.actors["brainstem"].prop.opacity
    assert drawn < 1.0 and box.value() == round(drawn * 100)  # the panel says what is drawn
    assert "mechanism view" in box.toolTip()
    mw.mechanism.pause()
    assert box.value() == 100 and mw.scene_view.scene.actors["brainstem"].prop.opacity == 1.0
