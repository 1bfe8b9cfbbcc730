"""Patient cases in the window: import (a worker thread, a progress dialog with cancel, the role
dialog), open and save `.hfscase`, and export the scene's surfaces.

- The import runs `viewer.patient.importer.import_files` on a QThread: reading, meshing and
  smoothing a label map takes seconds, and the window must stay responsive and cancellable.
  Its progress callback reports to the dialog and returns False once the user cancelled;
  the importer then stops before building anything, so a cancel leaves nothing behind.
- Nothing the user had is replaced until the role dialog is accepted: an import that fails,
  is cancelled or whose roles are refused leaves the scene (and its unsaved edits) alone.
- Cases are written atomically (`write_case`) and read with every check of `read_case`
  (member names, sizes, meshes) before anything is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from ..case import Case, CaseError
from .case_dialogs import ExportSurfacesDialog, RoleDialog

CASE_SUFFIX = ".hfscase"
IMPORT_SUFFIXES = (
    ".nii",
    ".nii.gz",
    ".nrrd",
    ".seg.nrrd",
    ".stl",
    ".obj",
    ".ply",
    ".vtp",
    ".vtk",
    ".tsv",
    ".txt",
    ".ctbl",
)
IMPORT_FILTER = (
    "Segmentations and surfaces (*.nii *.nii.gz *.nrrd *.seg.nrrd *.stl *.obj *.ply *.vtp *.vtk *.tsv *.txt *.ctbl);;"
    "All files (*)"
)
CASE_FILTER = "HFS patient cases (*.hfscase)"


def is_case_file(path) -> bool:
    return str(path).lower().endswith(CASE_SUFFIX)


def is_importable(path) -> bool:
    return str(path).lower().endswith(IMPORT_SUFFIXES)


def case_stats(meshes: dict) -> dict[str, dict]:
    from ..patient.importer import structure_stats

    return {sid: structure_stats(m) for sid, m in meshes.items()}


class ImportWorker(QObject):
    """Runs one import off the GUI thread; `cancel()` is honoured at the next progress report."""

    progress = Signal(str, float)
    finished = Signal(object)  # ImportResult
    failed = Signal(str)  # one line naming the file and the problem
    cancelled = Signal()

    def __init__(self, paths: list[Path], space: str | None = None):
        super().__init__()
        self.paths = paths
        self.space = space
        self._cancel = False

    def cancel(self) -> None:
        self._cancel = True  # read by the worker thread; a bool assignment is atomic under the GIL

    def _report(self, stage: str, fraction: float) -> bool:
        self.progress.emit(stage, float(fraction))
        return not self._cancel

    @Slot()
    def run(self) -> None:
        from ..patient.importer import ImportCancelled, import_files

        try:
            result = import_files(self.paths, space=self.space, progress=self._report)
        except ImportCancelled:
            self.cancelled.emit()
            return
        except CaseError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a reader library's own error: report it, keep the window
            self.failed.emit(f"{self.paths[0].name}: could not be imported ({type(exc).__name__}: {exc})")
            return
        if self._cancel:
            self.cancelled.emit()
            return
        self.finished.emit(result)


class AnalysisWorker(QObject):
    """Measures a case (nerve path, landmarks, vessel centrelines) and analyses it, off the GUI thread.

    It works on copies of the meshes: the GUI thread keeps drawing the originals meanwhile."""

    done = Signal(int, object, object)  # serial, Findings, CaseGeometry
    failed = Signal(int, str)  # serial, one line: what is missing and what to do

    def __init__(self, serial: int, case: Case, meshes: dict):
        super().__init__()
        self.serial, self.case, self.meshes = serial, case, meshes

    @Slot()
    def run(self) -> None:
        from ..patient.case_analysis import analyze_case, case_anatomy

        try:
            geometry = case_anatomy(self.case, self.meshes)
            findings = analyze_case(self.case, self.meshes, geometry)
        except (CaseError, ValueError) as exc:
            self.failed.emit(self.serial, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - report, never take the window down
            self.failed.emit(self.serial, f"{self.case.name}: the analysis failed ({type(exc).__name__}: {exc})")
            return
        self.done.emit(self.serial, findings, geometry)


class CaseController(QObject):
    """Import, open, save and export of patient cases for one main window."""

    importFinished = Signal(bool)  # True: a case was opened; False: failed, cancelled or refused

    def __init__(self, window: QWidget, document, files):
        super().__init__(window)
        self.window = window
        self.document = document
        self.files = files
        self.progress_dialog: QProgressDialog | None = None
        self.role_dialog: RoleDialog | None = None
        self._thread: QThread | None = None
        self._worker: ImportWorker | None = None
        self._result = None
        # the case analysis: one worker at a time; a result for an older case (serial) is dropped
        self._analysis_serial = 0
        self._analysis: tuple[QThread, AnalysisWorker] | None = None
        self._analysis_wanted = False
        document.caseChanged.connect(self._case_changed)
        document.caseEdited.connect(self._case_changed)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    # ------------------------------------------------------------------ import
    def import_dialog(self) -> bool:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Import patient data", str(self.files._last_dir()), IMPORT_FILTER
        )
        return bool(paths) and self.import_paths(paths)

    def import_paths(self, paths, space: str | None = None) -> bool:
        """Start importing `paths` (label maps, meshes, label tables); False if it could not start."""
        if self.busy:
            self.document.statusMessage.emit("An import is already running")
            return False
        paths = [Path(p) for p in paths]
        if not paths:
            return False
        worker = ImportWorker(paths, space)
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        dlg = QProgressDialog(f"Reading {paths[0].name}\u2026", "Cancel", 0, 1000, self.window)
        dlg.setObjectName("importProgress")
        dlg.setWindowTitle("Import patient data")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        # not worker.cancel itself: a queued call would wait for the busy worker thread's event loop
        dlg.canceled.connect(self.cancel_import)
        dlg.setValue(0)
        dlg.show()
        self.progress_dialog = dlg
        self._worker, self._thread = worker, thread
        thread.start()
        return True

    def cancel_import(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait(self, ms: int = 60000) -> None:
        """Until the import has ended (tests, shutdown): its result is delivered by the event loop."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        timer = QElapsedTimer()
        timer.start()
        while self._thread is not None and timer.elapsed() < ms:
            QCoreApplication.processEvents()
            self._thread.wait(20)

    def _on_progress(self, stage: str, fraction: float) -> None:
        dlg = self.progress_dialog
        if dlg is not None and not dlg.wasCanceled():
            dlg.setLabelText(stage[:1].upper() + stage[1:] + "\u2026")
            dlg.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))

    def _end_thread(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _on_failed(self, message: str) -> None:
        self._end_thread()
        self.files.show_error("Import patient data", f"Could not import:\n{message}")
        self.importFinished.emit(False)

    def _on_cancelled(self) -> None:
        self._end_thread()
        self.document.statusMessage.emit("Import cancelled: nothing was changed")
        self.importFinished.emit(False)

    def _on_finished(self, result) -> None:
        cancelled = self._worker is not None and self._worker._cancel
        self._end_thread()
        if cancelled:  # the user cancelled after the last progress report: drop the result
            self.document.statusMessage.emit("Import cancelled: nothing was changed")
            self.importFinished.emit(False)
            return
        self._result = result
        stats = case_stats(result.meshes)
        dlg = RoleDialog(result.case, stats, result.warnings, self.window)
        dlg.finished.connect(self._roles_done)
        self.role_dialog = dlg
        dlg.open()

    def _roles_done(self, code: int) -> None:
        dlg, self.role_dialog = self.role_dialog, None
        result, self._result = self._result, None
        if dlg is None or result is None:
            return
        case = dlg.result_case()
        dlg.deleteLater()
        if code != RoleDialog.DialogCode.Accepted or not self.files.confirm_discard():
            self.document.statusMessage.emit("Import not opened: nothing was changed")
            self.importFinished.emit(False)
            return
        self.show_case(case, result.meshes, None)
        # a fresh import exists nowhere on disk yet: unsaved, so closing asks to save it
        self.document.undo_stack.resetClean()
        n = sum(m.n_cells for m in result.meshes.values())
        self.document.statusMessage.emit(
            f"Imported '{case.name}': {len(case.structures)} structures, {n:,} triangles (unsaved)"
        )
        self.importFinished.emit(True)

    def show_case(self, case: Case, meshes: dict, path: Path | None) -> None:
        self.document.open_case(case, meshes, case_stats(meshes))
        self.files._set_path(path)

    # ------------------------------------------------------------------ analysis
    @property
    def analysing(self) -> bool:
        return self._analysis is not None or self._analysis_wanted

    def _case_changed(self, case) -> None:
        self._analysis_serial += 1
        if case is not None:
            self.analyse()
        else:
            from ..analysis import clear_caches

            clear_caches()  # the closed case's anatomy and surfaces must not stay pinned in them

    def analyse(self) -> None:
        """(Re)analyse the open case in a worker thread; a running one finishes first, then this one runs."""
        if self.document.case is None:
            return
        if self._analysis is not None:
            self._analysis_wanted = True  # after the running one (its result is stale: dropped)
            return
        self._analysis_wanted = False
        d = self.document
        meshes = {sid: m.copy() for sid, m in d.case_meshes.items()}
        worker = AnalysisWorker(self._analysis_serial, d.case, meshes)
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(self._analysis_done)
        worker.failed.connect(self._analysis_failed)
        self._analysis = (thread, worker)
        d.statusMessage.emit(f"Analysing '{d.case.name}': nerve path, landmarks, vessel centrelines\u2026")
        thread.start()

    def wait_analysis(self, ms: int = 120000) -> None:
        """Block until no analysis runs (tests, shutdown)."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        timer = QElapsedTimer()
        timer.start()
        while self.analysing and timer.elapsed() < ms:
            QCoreApplication.processEvents()
            if self._analysis is not None:
                self._analysis[0].wait(20)

    def _end_analysis(self) -> None:
        if self._analysis is not None:
            thread, _worker = self._analysis
            self._analysis = None
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if self._analysis_wanted:
            self.analyse()

    def _analysis_done(self, serial: int, findings, geometry) -> None:
        current = serial == self._analysis_serial and self.document.case is not None
        if current:
            self.document.set_case_analysis(findings, geometry)
            cc = findings.culprit_contact()
            self.document.statusMessage.emit(
                f"Case analysed: {cc.label} on the {cc.segment or cc.structure}" if cc else "Case analysed: no contact"
            )
        self._end_analysis()

    def _analysis_failed(self, serial: int, message: str) -> None:
        if serial == self._analysis_serial and self.document.case is not None:
            self.document.set_case_analysis(None, None, message)
            self.document.statusMessage.emit(message)
        self._end_analysis()

    # ------------------------------------------------------------------ files
    def open_path(self, path: Path) -> bool:
        from ..patient.casefile import read_case

        try:
            case, meshes = read_case(path)
        except CaseError as exc:
            self.files.show_error("Open case", f"Could not open {path}:\n{exc}")
            return False
        self.show_case(case, meshes, path)
        self.document.statusMessage.emit(f"Opened case {path}")
        return True

    def save_to(self, path: Path) -> None:
        """Write the open case (raises CaseError/OSError; the caller reports them)."""
        from ..patient.casefile import write_case

        write_case(path, self.document.case_to_save(), self.document.case_meshes)

    # ------------------------------------------------------------------ export
    def export_items(self):
        """The surfaces the window shows: the case's visible structures, or the model scene's."""
        from ..patient.export import item_from_mesh
        from ..render.case_view import scenario_export_items

        d = self.document
        if d.case is None:
            return scenario_export_items(d.scenario)
        return [
            item_from_mesh(s.id, s.name, d.colour(s.id), d.case_meshes[s.id])
            for s in d.case.structures
            if d.is_visible(s.id)
        ]

    def export_surfaces(self, fmt: str, space: str, out: Path) -> list[Path]:
        from ..patient.export import export_surfaces

        return export_surfaces(self.export_items(), fmt, out, space)

    def export_dialog(self) -> list[Path]:
        dlg = ExportSurfacesDialog(self.window)
        if dlg.exec() != ExportSurfacesDialog.DialogCode.Accepted:
            return []
        fmt, space, split = dlg.choice
        dlg.deleteLater()
        base = self.files._last_dir()
        if split:
            out = QFileDialog.getExistingDirectory(self.window, "Export surfaces into folder", str(base))
        else:
            name = (self.document.case.name if self.document.case else self.document.scenario.name) or "scene"
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
            out, _ = QFileDialog.getSaveFileName(
                self.window, "Export surfaces", str(base / f"{safe}.{fmt}"), f"{fmt.upper()} (*.{fmt})"
            )
            if out and not out.lower().endswith(f".{fmt}"):
                out += f".{fmt}"
        if not out:
            return []
        try:
            written = self.export_surfaces(fmt, space, Path(out))
        except (CaseError, OSError) as exc:
            self.files.show_error("Export surfaces", f"Could not export to {out}:\n{exc}")
            return []
        self.document.statusMessage.emit(f"Exported {len(written)} file(s) in {space} to {out}")
        return written

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.wait(10000)
        if self._thread is not None:
            self._end_thread()
        self._analysis_wanted = False
        if self._analysis is not None:  # a measurement cannot be interrupted: let it end, drop its result
            self._analysis_serial += 1
            self._analysis[0].quit()  # ends the thread's event loop once the measurement returns
            self._analysis[0].wait(60000)
            self._end_analysis()
        if self.document.case is not None:
            from ..analysis import clear_caches

            clear_caches()  # as when the case closes: nothing may keep its surfaces alive
