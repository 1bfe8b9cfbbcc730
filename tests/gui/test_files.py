"""Scenario files in the real window: open, save, recent, drag-and-drop,
bad files, the unsaved-changes question, autosave and recovery after SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from viewer.gui import files as gui_files
from viewer.scenario import default_scenario, load_scenario, save_scenario

pytestmark = pytest.mark.gui
HERE = Path(__file__).parent


@pytest.fixture
def fw(win, qtbot, tmp_path):
    """The window on a clean default scenario, with its own settings for recent files."""
    from PySide6.QtCore import QSettings

    win.files.settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win.document.load_scenario(default_scenario())
    win.files._set_path(None)
    yield win
    if win.files.error_box is not None:
        win.files.error_box.close()
    win.files.settings = None


def edited(doc):
    v = doc.scenario.vessel("aica")
    doc.move_handle("aica", 5, v.handles_mm[5] + [0.5, 0.0, 0.0])
    return doc.scenario


def answer_next_box(button, qtbot):
    """Click `button` on the next modal message box (exec() blocks the test otherwise)."""

    def click():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)


def test_open_file_replaces_scene_and_lists_it_in_recent(fw, tmp_path, qtbot):
    s = edited(fw.document)
    fw.document.load_scenario(default_scenario())
    path = tmp_path / "case.json"
    save_scenario(s, path)
    assert fw.files.open_path(path)
    assert fw.document.scenario == s
    assert "case.json" in fw.windowTitle() and not fw.isWindowModified()
    texts = [a.text() for a in fw.recent_menu.actions()]
    assert any("case.json" in t for t in texts)


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"format": "hfs-scenario", "version": 1, "name": "x", "vessels": [', "JSON"),
        (
            '{"format": "hfs-scenario", "version": 1, "name": "x", "vessels": [{"id": "a", "label": "A", '
            '"kind": "artery", "role": "aica", "radius_mm": 1, "centerline_mm": [[0, 0, NaN], [1, 1, 1]]}]}',
            "NaN",
        ),
        ('{"format": "something-else", "version": 1, "name": "x", "vessels": []}', "format"),
    ],
)
def test_bad_file_names_file_and_problem_and_keeps_the_scene(fw, tmp_path, content, problem):
    s = edited(fw.document)
    steps = fw.document.undo_stack.count()
    bad = tmp_path / "broken.json"
    bad.write_text(content, encoding="utf-8")
    fw.confirm_close = False
    assert not fw.files.open_path(bad, confirm=False)
    text = fw.files.error_box.text()
    assert str(bad) in text and problem.lower() in text.lower()
    assert fw.files.error_box.isVisible()
    assert fw.document.scenario == s and fw.document.undo_stack.count() == steps


def test_huge_file_is_refused(fw, tmp_path):
    big = tmp_path / "huge.json"
    big.write_bytes(b" " * (6 * 1024 * 1024))
    assert not fw.files.open_path(big, confirm=False)
    assert "huge.json" in fw.files.error_box.text() and "MB" in fw.files.error_box.text()


def test_save_as_then_save_is_atomic_and_clean(fw, tmp_path):
    s = edited(fw.document)
    assert fw.isWindowModified()
    out = tmp_path / "saved.json"
    assert fw.files.save_to(out)
    assert load_scenario(out) == s and not fw.isWindowModified() and "saved.json" in fw.windowTitle()
    s2 = edited(fw.document)
    assert fw.files.save()
    assert load_scenario(out) == s2
    assert not list(tmp_path.glob(".saved.json.*"))  # no temp files left


def test_save_to_unwritable_place_reports_and_keeps_modified(fw, tmp_path):
    edited(fw.document)
    assert not fw.files.save_to(tmp_path / "no-such-dir" / "x.json")
    assert "no-such-dir" in fw.files.error_box.text() and fw.isWindowModified()


def test_unsaved_changes_question_cancel_and_discard(fw, tmp_path, qtbot):
    other = tmp_path / "other.json"
    save_scenario(default_scenario(), other)
    s = edited(fw.document)
    answer_next_box(QMessageBox.StandardButton.Cancel, qtbot)
    assert not fw.files.open_path(other)
    assert fw.document.scenario == s
    answer_next_box(QMessageBox.StandardButton.Discard, qtbot)
    assert fw.files.open_path(other)
    assert fw.document.scenario == default_scenario()


def test_close_with_unsaved_changes_can_be_cancelled(fw, qtbot):
    edited(fw.document)
    fw.confirm_close = True
    try:
        answer_next_box(QMessageBox.StandardButton.Cancel, qtbot)
        fw.close()
        qtbot.wait(50)
        assert fw.isVisible() and not fw._closed
    finally:
        fw.confirm_close = False


def test_drop_json_onto_window_opens_it(fw, tmp_path, qtbot):
    s = edited(fw.document)
    path = tmp_path / "dropped.json"
    save_scenario(s, path)
    fw.document.load_scenario(default_scenario())
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(200, 200), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(fw, enter)
    assert enter.isAccepted()  # a .json is welcome
    ev = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(fw, ev)
    assert fw.document.scenario == s and "dropped.json" in fw.windowTitle()
    md2 = QMimeData()
    md2.setUrls([QUrl.fromLocalFile(str(tmp_path / "picture.png"))])
    enter2 = QDragEnterEvent(
        QPoint(200, 200), Qt.DropAction.CopyAction, md2, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(fw, enter2)
    assert not enter2.isAccepted()  # anything else is refused


def test_autosave_writes_only_when_modified_and_is_removed_on_save(fw, tmp_path):
    f = fw.files
    assert not f.autosave()  # clean: nothing to save
    s = edited(fw.document)
    assert f.autosave()
    assert load_scenario(f._autosave_path) == s
    assert not f.autosave()  # unchanged since the last autosave
    f.save_to(tmp_path / "x.json")
    assert not f._autosave_path.exists() and not f._autosave_meta.exists()


def test_sigkill_loses_at_most_the_autosave_interval_and_never_corrupts_the_file(fw, tmp_path, qtbot):
    user_file = tmp_path / "case.json"
    interval_ms = 400
    env = dict(os.environ, HFS_VIEWER_AUTOSAVE_MS=str(interval_ms), PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "autosave_driver.py"), str(user_file)], stdout=subprocess.PIPE, text=True, env=env
    )
    edits = {}
    try:
        t_end = time.time() + 60
        for line in proc.stdout:
            parts = line.split()
            if parts[0] == "ready":
                driver_dir = parts[1]
            if parts[0] == "edit":
                edits[int(parts[1])] = float(parts[2])
            # the file was last saved after edit 14: kill a few autosave intervals after that, so
            # the autosave must hold what the file lacks
            if (15 in edits and time.time() - edits[15] > 3 * interval_ms / 1000) or time.time() > t_end:
                break
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    assert len(edits) >= 15, "the driver made too few edits"
    found = [r for r in gui_files.find_recoverable() if r.path.stem == str(proc.pid)]
    x0 = default_scenario().vessel("aica").handles_mm[5][0]
    # the user's file was saved atomically after edits 7 and 14: it loads, holding edit 14
    saved = load_scenario(user_file)
    m = round((saved.vessel("aica").handles_mm[5][0] - x0) / 0.01)
    assert m == 14 and max(edits) > m
    assert found, f"no autosave of pid {proc.pid} in {driver_dir} offered for recovery"
    item = found[0]
    recovered = load_scenario(item.path)  # a valid scenario file
    n = round((recovered.vessel("aica").handles_mm[5][0] - x0) / 0.01)
    assert n in edits
    # every edit made more than one autosave interval (+ slack for a busy event loop) before
    # the kill is in the autosave: the first edit missing from it is recent
    first_lost = edits.get(max(n, m) + 1, killed_at)
    assert killed_at - first_lost <= interval_ms / 1000 + 2.0, f"lost {killed_at - first_lost:.2f} s of edits"
    # recovery in this window: the autosaved state, marked unsaved, then the autosave is gone
    assert fw.files.recover(item)
    assert fw.document.scenario == recovered and fw.isWindowModified()
    assert not item.path.exists() and all(r.path != item.path for r in gui_files.find_recoverable())
