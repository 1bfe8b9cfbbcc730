"""Exports from the window: PNG image, video and PDF report, with their dialogs.

Video and report rendering runs on the GUI thread in an offscreen VTK window (a separate render
window from the QtInteractor); the progress callback pumps the event loop so the
dialog repaints and its Cancel button works. A cancelled or failed export leaves
no partial file and never touches an existing one (viewer.render.video writes a
temp file and renames it; the report is written the same way).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..motion import Pulsation
from ..render import video
from ..render.images import save_png_atomic as _save_array_png
from .dialogs import ExportDialog


def qimage_to_array(img: QImage) -> np.ndarray:
    """QImage -> (h, w, 3) uint8 RGB array (a copy)."""
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = rgb.height(), rgb.width(), rgb.bytesPerLine()
    arr = np.frombuffer(rgb.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)
    return arr[:, : 3 * w].reshape(h, w, 3).copy()


def save_png_atomic(img: np.ndarray | QImage, path: Path | str, compress_level: int = 6) -> Path:
    """Save a render or a window grab atomically (one writer: viewer.render.images)."""
    return _save_array_png(qimage_to_array(img) if isinstance(img, QImage) else img[..., :3], path, compress_level)


def export_dir(window) -> Path:
    """The folder of the last export (settings), else the home folder."""
    d = Path.home() if window.settings is None else Path(str(window.settings.value("export/dir", Path.home())))
    return d if d.is_dir() else Path.home()


def _stem(window) -> str:
    case = window.document.case
    if case is not None:
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in case.name) or "patient-case"
    return window.current_preset or "cpa-scenario"


# ---------------------------------------------------------------------- image
def view_size(window) -> tuple[int, int]:
    """The 3D view's size in device pixels."""
    w = window.scene_view.widget
    dpr = w.devicePixelRatioF()
    return max(16, round(w.width() * dpr)), max(16, round(w.height() * dpr))


def export_image(window, path: Path | str, size: tuple[int, int] | None = None, annotations: bool = True) -> Path:
    """Render the window's 3D view at `size` (w, h; default the view's size) and save it as PNG."""
    img = window.scene_view.screenshot(size, annotations=annotations)
    out = save_png_atomic(img, path)
    window.statusBar().showMessage(f"Exported {out} ({img.shape[1]} \u00d7 {img.shape[0]})")
    return out


def make_export_dialog(window) -> ExportDialog:
    return ExportDialog(view_size(window), export_dir(window) / f"cpa-{window.document.current_view}.png", window)


def export_image_dialog(window) -> Path | None:
    """Ask for file, size and annotations, then export; remembers the folder."""
    dlg = make_export_dialog(window)
    try:
        if dlg.exec() != ExportDialog.DialogCode.Accepted:
            return None
        path, size, annotations = dlg.path(), dlg.image_size(), dlg.annotations()
    finally:
        dlg.deleteLater()
    try:
        out = export_image(window, path, size, annotations)
    except OSError as exc:
        QMessageBox.critical(window, "Export image", f"Could not write {path}:\n{exc}")
        return None
    if window.settings is not None:
        window.settings.setValue("export/dir", str(out.parent))
    return out


# ---------------------------------------------------------------------- video
ANIMATION_LABELS = {
    "pulsation": "Arterial pulsation (one or more heartbeats)",
    "turntable": "Turntable (one turn round the anatomy)",
    "mechanism": "Mechanism (ectopic and ephaptic excitation)",
}
VIDEO_SIZES = (
    ("HD 720p (1280 \u00d7 720)", (1280, 720)),
    ("Full HD (1920 \u00d7 1080)", (1920, 1080)),
    ("Small GIF (640 \u00d7 360)", (640, 360)),
)


class VideoExportDialog(QDialog):
    """What to film: animation, file (.mp4 or .gif), size, frame rate, length, annotations."""

    def __init__(self, default_path: Path, heart_rate_bpm: float = 70.0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export video")
        self.animation_combo = QComboBox(self)
        for name in video.ANIMATIONS:
            self.animation_combo.addItem(ANIMATION_LABELS.get(name, name), name)
        self.path_edit = QLineEdit(str(default_path), self)
        self.path_edit.setMinimumWidth(380)
        browse = QPushButton("Browse\u2026", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.size_combo = QComboBox(self)
        for label, size in VIDEO_SIZES:
            self.size_combo.addItem(label, size)
        self.fps_box = QSpinBox(self)
        self.fps_box.setRange(5, 60)
        self.fps_box.setValue(int(video.DEFAULT_FPS))
        self.fps_box.setSuffix(" frames/s")
        self.length_box = QDoubleSpinBox(self)
        self.length_box.setRange(0.5, 30.0)
        self.length_box.setValue(2.0)
        self.length_box.setSuffix(" s")
        self.length_box.setToolTip("Video length; the pulsation runs at the chosen heart rate")
        self.heart_box = QSpinBox(self)
        self.heart_box.setRange(40, 180)
        self.heart_box.setValue(int(heart_rate_bpm))
        self.heart_box.setSuffix(" bpm")
        self.annotations_box = QCheckBox("Callouts and captions", self)
        self.annotations_box.setChecked(True)
        form = QFormLayout()
        form.addRow("Animation:", self.animation_combo)
        form.addRow("File (.mp4 or .gif):", row)
        form.addRow("Size:", self.size_combo)
        form.addRow("Frame rate:", self.fps_box)
        form.addRow("Length:", self.length_box)
        form.addRow("Heart rate:", self.heart_box)
        form.addRow("", self.annotations_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export video", self.path_edit.text(), "MP4 video (*.mp4);;Animated GIF (*.gif)"
        )
        if path:
            self.path_edit.setText(path)

    def path(self) -> Path:
        p = Path(self.path_edit.text().strip()).expanduser()
        return p if p.suffix.lower() in video.VIDEO_SUFFIXES else p.with_name(p.name + ".mp4")

    def options(self) -> dict:
        fps = self.fps_box.value()
        return {
            "animation": self.animation_combo.currentData(),
            "size": tuple(self.size_combo.currentData()),
            "fps": fps,
            "frames": max(2, round(self.length_box.value() * fps)),
            "heart_rate_bpm": float(self.heart_box.value()),
            "annotations": self.annotations_box.isChecked(),
        }

    def accept(self) -> None:
        if not self.path().parent.is_dir():
            QMessageBox.warning(self, "Export video", f"The folder {self.path().parent} does not exist.")
            return
        super().accept()


def export_video_dialog(window):
    """Ask what to film, then film it (the pulsation pauses meanwhile); VideoInfo or None."""
    dlg = VideoExportDialog(export_dir(window) / f"{_stem(window)}.mp4", window.pulsation.heart_rate_bpm, window)
    try:
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        path, opts = dlg.path(), dlg.options()
    finally:
        dlg.deleteLater()
    was_playing = window.pulsation.playing
    window.pulsation.pause()
    info = export_video(window, path, **opts)
    if was_playing:
        window.pulsation.play()
    return info


def _progress_dialog(parent, label: str, total: int) -> QProgressDialog:
    dlg = QProgressDialog(label, "Cancel", 0, total, parent)
    dlg.setObjectName("exportProgress")
    dlg.setWindowTitle("Exporting")
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(0)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setValue(0)
    dlg.show()
    QApplication.processEvents()
    return dlg


def export_video(
    window,
    path: Path,
    animation: str,
    *,
    size=(1280, 720),
    fps: float = 25,
    frames: int = 50,
    heart_rate_bpm: float = 70.0,
    annotations: bool = True,
    progress_hook=None,
):
    """Film `animation` of the window's scenario into `path`; returns VideoInfo, or None if cancelled/failed.

    `progress_hook(done, total, dialog)` is called after each frame (tests use it to press Cancel)."""
    d = window.document
    if animation == "mechanism" and annotations:
        annotations = None  # the mechanism's own captions, not the contact callouts (video.export_animation)
    dlg = _progress_dialog(window, f"Rendering {animation} to {Path(path).name}\u2026", frames)

    def progress(done: int, total: int) -> bool:
        dlg.setMaximum(total)
        dlg.setValue(done)
        dlg.setLabelText(f"Rendering {animation}: frame {done} of {total}")
        if progress_hook is not None:
            progress_hook(done, total, dlg)
        QApplication.processEvents()
        return not dlg.wasCanceled()

    try:
        info = video.export_animation(
            d.shown_scenario,  # the state the window shows: before decompression or with the plan
            path,
            animation,
            frames=frames,
            fps=fps,
            size=size,
            view=d.current_view,
            pulsation=Pulsation(heart_rate_bpm=heart_rate_bpm),
            annotations=annotations,
            progress=progress,
        )
    except video.ExportCancelled:
        d.statusMessage.emit(f"Video export cancelled; {Path(path).name} was not written")
        return None
    except (OSError, ValueError) as exc:
        QMessageBox.critical(window, "Export video", f"Could not write {path}:\n{exc}")
        return None
    finally:
        dlg.close()
        dlg.deleteLater()
    d.statusMessage.emit(f"Exported {info.path} ({info.frames} frames, {info.seconds:.1f} s)")
    return info


# ---------------------------------------------------------------------- report
def export_report_dialog(window) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(
        window, "Export report", str(export_dir(window) / f"{_stem(window)}.pdf"), "PDF document (*.pdf)"
    )
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    return export_report(window, Path(path))


def _export_case_report(window, path: Path) -> Path:
    """The report of the open patient case: its findings, two views of its surfaces from the window."""
    from ..patient.case_analysis import case_scenario
    from .report import REPORT_IMAGE_SIZE, REPORT_VIEWS, write_report

    d = window.document
    case, geometry = d.case, d.case_geometry
    view = d.current_view
    images = {}
    try:
        for name in REPORT_VIEWS:
            d.set_view(name)
            images[name] = window.scene_view.screenshot(REPORT_IMAGE_SIZE)
    finally:
        d.set_view(view)
    files = ", ".join(dict.fromkeys(f"{s.file} ({s.kind}, {s.space} frame)" for s in case.sources))
    placed = [k.replace("_", " ") for k in case.landmarks]
    patient = (
        f"Patient case '{case.name}', {case.side} side: the anatomy is the patient's own, from {files}.",
        f"Contact = a surface gap of at most {geometry.anatomy.tolerance_mm:.2f} mm (one voxel of the source; "
        "0.3 mm for meshes); severity from the nerve's own shape.",
        "Landmarks placed by hand: " + ", ".join(placed) + "." if placed else "Landmarks derived from the surfaces.",
    )
    scenario = case_scenario(case, geometry)
    return write_report(scenario, path, images, findings=d.case_findings, patient=patient)


def export_report(window, path: Path) -> Path | None:
    """The PDF report of the window's scenario (two rendered views, findings, mechanism, references)."""
    from .report import write_report

    d = window.document
    if d.case is not None and d.case_findings is None:
        why = d.case_analysis_error or "the analysis of the case is still running"
        QMessageBox.warning(window, "Export report", f"No report for '{d.case.name}' yet:\n{why}")
        return None
    dlg = _progress_dialog(window, f"Rendering the report images for {Path(path).name}\u2026", 0)  # busy
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        if d.case is not None:
            out = _export_case_report(window, path)
        else:
            out = write_report(d.scenario, path, findings=d.findings)
    except OSError as exc:
        QMessageBox.critical(window, "Export report", f"Could not write {path}:\n{exc.strerror or exc}")
        return None
    finally:
        QApplication.restoreOverrideCursor()
        dlg.close()
        dlg.deleteLater()
    d.statusMessage.emit(f"Exported the report {out}")
    return out
