"""Scenario menu history toggles (facial nerve injury, inflammatory condition) in the real window:
the Findings panel says the secondary cause, and Edit > Undo takes it back."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from viewer.presets import load_preset

CASES = [  # history flag, tag words in the panel, headline words, words of the mechanism
    ("facial_trauma", "post-traumatic", "post-traumatic hemifacial spasm", "aberrant regeneration"),
    ("inflammatory", "inflammatory", "inflammatory hemifacial spasm", "demyelinat"),
]


def menu_action(win, text_start: str):
    """The Scenario menu's action whose text starts with `text_start` (what the user clicks)."""
    acts = [a for a in win.scenario_menu.actions() if a.text().replace("&", "").startswith(text_start)]
    assert len(acts) == 1, [a.text() for a in win.scenario_menu.actions()]
    return acts[0]


def panel_text(win, qtbot) -> str:
    qtbot.wait(30)  # the document coalesces edits into one analysis per event-loop pass
    QApplication.processEvents()
    return win.findings_panel.text()


@pytest.mark.parametrize("flag,tag_words,headline_words,mechanism_words", CASES)
def test_history_toggle_says_the_cause_and_undoes(win, qtbot, flag, tag_words, headline_words, mechanism_words):
    d = win.document
    act = win.history_actions[flag]
    assert act is menu_action(win, act.text().replace("&", "")) and act.isCheckable() and not act.isChecked()
    # next to the prior Bell's palsy toggle
    names = [a.text().replace("&", "") for a in win.scenario_menu.actions()]
    assert names.index(act.text().replace("&", "")) - names.index(win.bells_action.text().replace("&", "")) in (1, 2)
    before = panel_text(win, qtbot)
    assert "idiopathic" in before.splitlines()[0] and before.splitlines()[1] == "Classification: idiopathic"

    act.trigger()
    text = panel_text(win, qtbot)
    assert getattr(d.scenario.history, flag) and act.isChecked()
    assert headline_words in text.splitlines()[0].lower()
    assert f"Classification: {tag_words}" in text and "idiopathic" not in text.splitlines()[1]
    assert mechanism_words in text.lower()
    assert win.findings_panel.headline_label.property("severity") == "other"

    d.undo_stack.undo()
    text = panel_text(win, qtbot)
    assert not getattr(d.scenario.history, flag) and not act.isChecked()
    assert text == before
    d.undo_stack.redo()
    assert act.isChecked() and headline_words in panel_text(win, qtbot).splitlines()[0].lower()


@pytest.mark.parametrize("flag,tag_words,headline_words,mechanism_words", CASES)
def test_history_beside_a_compression_reports_both(win, qtbot, flag, tag_words, headline_words, mechanism_words):
    d = win.document
    d.load_scenario(load_preset("aica-attached-segment"))
    win.history_actions[flag].trigger()
    text = panel_text(win, qtbot)
    assert text.splitlines()[0].startswith("Left AICA")  # the compression stays the headline
    assert f"Classification: single vessel, {tag_words}" in text
    assert "never explains away a compression" in text
    d.undo_stack.undo()
    assert tag_words not in panel_text(win, qtbot).splitlines()[1]


def test_opening_a_scenario_syncs_every_history_toggle(win, qtbot):
    from dataclasses import replace

    from viewer.scenario import History, default_scenario

    win.document.load_scenario(replace(default_scenario(), history=History(False, True, True)))
    qtbot.wait(10)
    assert [a.isChecked() for a in win.history_actions.values()] == [False, True, True]
    assert win.document.undo_stack.count() == 0  # syncing the menu pushed no edit
