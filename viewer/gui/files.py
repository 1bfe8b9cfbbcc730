"""Scenario files in the GUI: open, save, save as, recent files, drag-and-drop, autosave, recovery.

- Opening never touches the current scene unless the whole file validated
  (`scenario.load_scenario` builds nothing partial); a bad file gets a dialog that
  names the file and the problem.
- Saving is atomic (`save_scenario`: temp file + fsync + os.replace), so a crash
  or a kill mid-save leaves the previous file intact.
- Autosave: every `AUTOSAVE_MS` (30 s) while there are unsaved edits, the scenario is
  written atomically to ``<GenericDataLocation>/hfs-viewer/autosave/<pid>.json`` (a normal scenario
  file; an open patient case: ``<pid>.hfscase``) with ``<pid>.meta.json`` (where it came from,
  when). A clean exit deletes them; at start-up, files whose process is gone are offered for recovery.
- Patient cases (`.hfscase`) open, save, recover and sit in the recent list like scenarios;
  their reading and writing is `cases.CaseController`'s.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..atomic import write_text_atomic
from ..case import CaseError
from ..scenario import ScenarioError, load_scenario, save_scenario

AUTOSAVE_MS = int(os.environ.get("HFS_VIEWER_AUTOSAVE_MS", "30000"))  # the env var is for tests
MAX_RECENT = 8
KEY_RECENT = "files/recent"
KEY_LAST_DIR = "files/dir"
FILE_FILTER = (
    "HFS scenarios and cases (*.json *.hfscase);;HFS scenarios (*.json);;HFS patient cases (*.hfscase);;All files (*)"
)


def data_dir() -> Path:
    """The user's data folder for this app (independent of QApplication's names)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home() / ".local" / "share") / "hfs-viewer"


def autosave_dir() -> Path:
    return data_dir() / "autosave"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@dataclass(frozen=True)
class Recoverable:
    """An autosave left by a process that did not exit cleanly."""

    path: Path
    meta_path: Path
    saved_at: float
    source: str | None
    name: str

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))
        origin = self.source or "an unsaved scenario"
        return f"'{self.name}' (from {origin}), autosaved {when}"


def find_recoverable(folder: Path | None = None) -> list[Recoverable]:
    """Autosaves whose process is gone, newest first (unreadable ones are skipped)."""
    folder = folder or autosave_dir()
    out = []
    for meta_path in sorted(folder.glob("*.meta.json")):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            pid = int(meta["pid"])
            suffix = ".hfscase" if meta.get("kind") == "case" else ".json"
            path = meta_path.with_name(f"{pid}{suffix}")
            if _pid_alive(pid) or not path.is_file():
                continue
            out.append(
                Recoverable(path, meta_path, float(meta["saved_at"]), meta.get("source"), str(meta.get("name", "?")))
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(out, key=lambda r: -r.saved_at)


def discard_recoverable(item: Recoverable) -> None:
    for p in (item.path, item.meta_path):
        try:
            p.unlink()
        except OSError:
            pass


class FileController(QObject):
    """File actions of one main window; talks to the document only."""

    fileChanged = Signal(object)  # Path | None: the file the scenario was opened from / saved to
    recentChanged = Signal()

    def __init__(self, window: QWidget, document, settings: QSettings | None, autosave_ms: int = AUTOSAVE_MS):
        super().__init__(window)
        self.window = window
        self.document = document
        self.settings = settings
        self.path: Path | None = None
        self.last_error: str | None = None
        self.error_box: QMessageBox | None = None
        self._autosave_index: int | None = None
        self._autosave_path = autosave_dir() / f"{os.getpid()}.json"
        self._autosave_case = autosave_dir() / f"{os.getpid()}.hfscase"
        self.cases = None  # the window's cases.CaseController (set once it exists)
        self._autosave_meta = autosave_dir() / f"{os.getpid()}.meta.json"
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_ms)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # ------------------------------------------------------------------ errors
    def show_error(self, title: str, message: str) -> None:
        """A window-modal error box (non-blocking); kept in `error_box` for tests and reuse."""
        self.last_error = message
        if self.error_box is not None:
            self.error_box.close()
            self.error_box.deleteLater()
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("fileErrorBox")
        box.open()
        self.error_box = box
        self.document.statusMessage.emit(message.splitlines()[0])

    # ------------------------------------------------------------------ unsaved changes
    @property
    def modified(self) -> bool:
        return not self.document.undo_stack.isClean()

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for unsaved changes (a blocking question)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to '{self.document.case.name if self.document.case else self.document.scenario.name}'?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("unsavedChangesBox")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = QMessageBox.StandardButton(box.exec())
        box.deleteLater()
        return answer

    def confirm_discard(self) -> bool:
        """True when the current scenario may be replaced (saved, discarded, or nothing to save)."""
        if not self.modified:
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------------ open
    def open_dialog(self) -> bool:
        if not self.confirm_discard():
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Open scenario or case", str(self._last_dir()), FILE_FILTER)
        return bool(path) and self.open_path(path, confirm=False)

    def open_path(self, path, confirm: bool = True) -> bool:
        """Open a scenario file; on any problem the current scene stays as it was."""
        path = Path(path)
        if confirm and not self.confirm_discard():
            return False
        if path.name.lower().endswith(".hfscase"):
            if not self.cases.open_path(path):
                return False
            self._add_recent(path)
            return True
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            self.show_error("Open scenario", f"Could not open {path}:\n{exc.path}: {exc.reason}")
            return False
        except OSError as exc:  # load_scenario reports most; a race (file vanished) lands here
            self.show_error("Open scenario", f"Could not open {path}:\n{exc.strerror or exc}")
            return False
        self.document.load_scenario(scenario)
        self._set_path(path)
        self._add_recent(path)
        self.document.statusMessage.emit(f"Opened {path}")
        return True

    def open_scenario(self, scenario, source: Path | None = None, text: str = "Open scenario") -> bool:
        """Replace the scene by an in-memory scenario (a preset) after the unsaved-changes question."""
        if not self.confirm_discard():
            return False
        self.document.load_scenario(scenario)
        self._set_path(None)
        self.document.statusMessage.emit(f"{text}: {scenario.name}")
        return True

    # ------------------------------------------------------------------ save
    def save(self) -> bool:
        if self.path is None:
            return self.save_as_dialog()
        return self.save_to(self.path)

    def save_as_dialog(self) -> bool:
        case = self.document.case
        suffix, what = (".hfscase", "case") if case is not None else (".json", "scenario")
        name = case.name if case is not None else self.document.scenario.name
        start = self.path or self._last_dir() / f"{_safe_name(name)}{suffix}"
        filt = "HFS patient cases (*.hfscase)" if case is not None else "HFS scenarios (*.json)"
        path, _ = QFileDialog.getSaveFileName(self.window, f"Save {what} as", str(start), filt)
        if not path:
            return False
        if not path.lower().endswith(suffix):
            path += suffix
        return self.save_to(path)

    def save_to(self, path) -> bool:
        path = Path(path)
        case = self.document.case is not None
        try:
            if case:
                self.cases.save_to(path)
            else:
                save_scenario(self.document.scenario, path)
        except (ScenarioError, CaseError, OSError) as exc:
            reason = exc.reason if isinstance(exc, ScenarioError) else (getattr(exc, "strerror", None) or str(exc))
            self.show_error(f"Save {'case' if case else 'scenario'}", f"Could not save {path}:\n{reason}")
            return False
        self.document.undo_stack.setClean()
        self._set_path(path)
        self._add_recent(path)
        self.remove_autosave()
        self.document.statusMessage.emit(f"Saved {path}")
        return True

    # ------------------------------------------------------------------ autosave / recovery
    def autosave(self) -> bool:
        """Write the scenario to the autosave folder if it changed since the last autosave."""
        stack = self.document.undo_stack
        if stack.isClean():
            self.remove_autosave()
            return False
        if self._autosave_index == stack.index() and self._autosave_path.is_file():
            return False
        case = self.document.case
        try:
            self._autosave_path.parent.mkdir(parents=True, exist_ok=True)
            if case is not None:
                self.cases.save_to(self._autosave_case)
            else:
                save_scenario(self.document.scenario, self._autosave_path)
            write_text_atomic(
                self._autosave_meta,
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "saved_at": time.time(),
                        "source": str(self.path) if self.path else None,
                        "name": case.name if case is not None else self.document.scenario.name,
                        "kind": "case" if case is not None else "scenario",
                    }
                ),
            )
        except (ScenarioError, CaseError, OSError) as exc:
            self.document.statusMessage.emit(f"Autosave failed: {exc}")
            return False
        self._autosave_index = stack.index()
        return True

    def remove_autosave(self) -> None:
        for p in (self._autosave_path, self._autosave_case, self._autosave_meta):
            try:
                p.unlink()
            except OSError:
                pass
        self._autosave_index = None

    def recover(self, item: Recoverable) -> bool:
        """Load an autosave as unsaved changes of its original file; then forget the autosave."""
        if item.path.suffix == ".hfscase":
            if not self.cases.open_path(item.path):
                discard_recoverable(item)
                return False
            self.document.undo_stack.resetClean()
            self._set_path(Path(item.source) if item.source else None)
            discard_recoverable(item)
            self.document.statusMessage.emit(f"Recovered {item.describe()}")
            return True
        try:
            scenario = load_scenario(item.path)
        except ScenarioError as exc:
            self.show_error("Recover scenario", f"The autosave {item.path} is unreadable:\n{exc.reason}")
            discard_recoverable(item)
            return False
        self.document.load_scenario(scenario)
        # recovered edits are unsaved: mark the document modified (one undoable step back to nothing)
        self.document.undo_stack.resetClean()
        self._set_path(Path(item.source) if item.source else None)
        discard_recoverable(item)
        self.document.statusMessage.emit(f"Recovered {item.describe()}")
        return True

    def offer_recovery(self) -> bool:
        """At start-up: ask about each autosave left by a crashed or killed session."""
        recovered = False
        for item in find_recoverable():
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Recover unsaved changes",
                f"HFS Compression Viewer did not close properly.\nRecover {item.describe()}?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
                self.window,
            )
            box.setObjectName("recoveryBox")
            answer = box.exec()
            box.deleteLater()
            if answer == QMessageBox.StandardButton.Yes and not recovered:
                recovered = self.recover(item)
            else:
                discard_recoverable(item)
        return recovered

    def shutdown(self) -> None:
        """Clean exit: stop the timer and delete this session's autosave."""
        self.autosave_timer.stop()
        self.remove_autosave()

    # ------------------------------------------------------------------ recent files
    def recent_files(self) -> list[str]:
        if self.settings is None:
            return []
        value = self.settings.value(KEY_RECENT, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        if self.settings is None:
            return
        p = str(Path(path).resolve())
        items = [p] + [x for x in self.recent_files() if x != p]
        self.settings.setValue(KEY_RECENT, items[:MAX_RECENT])
        self.settings.setValue(KEY_LAST_DIR, str(Path(p).parent))
        self.recentChanged.emit()

    def forget_recent(self, path: str) -> None:
        if self.settings is not None:
            self.settings.setValue(KEY_RECENT, [x for x in self.recent_files() if x != path])
            self.recentChanged.emit()

    def open_recent(self, path: str) -> bool:
        if not Path(path).is_file():
            self.forget_recent(path)
            self.show_error("Open recent", f"Could not open {path}:\nthe file no longer exists")
            return False
        return self.open_path(path)

    def _last_dir(self) -> Path:
        if self.settings is not None:
            d = Path(str(self.settings.value(KEY_LAST_DIR, "") or ""))
            if str(d) and d.is_dir():
                return d
        return Path.home()

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.fileChanged.emit(path)


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_ " else "_" for c in name).strip()
    return keep.replace(" ", "-").lower() or "scenario"
