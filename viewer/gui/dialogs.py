"""Dialogs: image export (file + size), About and Sources (scrollable bibliography)."""

from __future__ import annotations

import html
from importlib import metadata
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..sources import BIBLIOGRAPHY

MAX_W, MAX_H = 7680, 4320
CUSTOM = "custom"


class ExportDialog(QDialog):
    """Ask for a PNG path and an image size (window, 2x window, Full HD, 4K or custom)."""

    def __init__(self, window_size: tuple[int, int], default_path: Path | str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        w, h = window_size
        self.presets: list[tuple[str, tuple[int, int] | None]] = [
            (f"3D view size ({w} \u00d7 {h})", (w, h)),
            (f"2\u00d7 3D view ({2 * w} \u00d7 {2 * h})", (min(2 * w, MAX_W), min(2 * h, MAX_H))),
            ("Full HD (1920 \u00d7 1080)", (1920, 1080)),
            ("4K UHD (3840 \u00d7 2160)", (3840, 2160)),
            ("Custom\u2026", None),
        ]
        self.size_combo = QComboBox(self)
        for label, size in self.presets:
            self.size_combo.addItem(label, size if size is not None else CUSTOM)
        self.width_box = QSpinBox(self)
        self.width_box.setRange(16, MAX_W)
        self.width_box.setValue(w)
        self.width_box.setSuffix(" px")
        self.height_box = QSpinBox(self)
        self.height_box.setRange(16, MAX_H)
        self.height_box.setValue(h)
        self.height_box.setSuffix(" px")
        self.size_combo.currentIndexChanged.connect(self._preset_changed)

        self.path_edit = QLineEdit(str(default_path), self)
        self.path_edit.setMinimumWidth(380)
        browse = QPushButton("Browse\u2026", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box)
        size_row.addWidget(QLabel("\u00d7", self))
        size_row.addWidget(self.height_box)
        size_row.addStretch(1)

        form = QFormLayout()
        form.addRow("File:", path_row)
        form.addRow("Size:", self.size_combo)
        form.addRow("Width \u00d7 height:", size_row)
        self.annotations_box = QCheckBox("Include annotations (contact callouts, labels)", self)
        self.annotations_box.setChecked(True)
        form.addRow("", self.annotations_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._preset_changed(0)

    def _preset_changed(self, index: int) -> None:
        size = self.size_combo.itemData(index)
        custom = size == CUSTOM
        self.width_box.setEnabled(custom)
        self.height_box.setEnabled(custom)
        if not custom:
            self.width_box.setValue(size[0])
            self.height_box.setValue(size[1])

    def choose_size(self, size: tuple[int, int]) -> None:
        """Select the preset with this size, or Custom with these numbers."""
        for i in range(self.size_combo.count()):
            if self.size_combo.itemData(i) == tuple(size) or self.size_combo.itemData(i) == list(size):
                self.size_combo.setCurrentIndex(i)
                return
        self.size_combo.setCurrentIndex(self.size_combo.count() - 1)
        self.width_box.setValue(int(size[0]))
        self.height_box.setValue(int(size[1]))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.path_edit.text(), "PNG image (*.png)")
        if path:
            self.path_edit.setText(path)

    def image_size(self) -> tuple[int, int]:
        return self.width_box.value(), self.height_box.value()

    def annotations(self) -> bool:
        return self.annotations_box.isChecked()

    def path(self) -> Path:
        p = Path(self.path_edit.text().strip()).expanduser()
        return p if p.suffix.lower() == ".png" else p.with_name(p.name + ".png")

    def accept(self) -> None:
        text = self.path_edit.text().strip()
        problem = None
        if not text:
            problem = "Choose a file name."
        elif not self.path().parent.is_dir():
            problem = f"The folder {self.path().parent} does not exist."
        if problem:
            QMessageBox.warning(self, "Export image", problem)
            return
        super().accept()


def bibliography_html() -> str:
    items = "".join(
        f"<li>{html.escape(text)} <span style='color:gray'>[{html.escape(key)}]</span></li>"
        for key, text in BIBLIOGRAPHY.items()
    )
    return f"<ol>{items}</ol>"


class TextDialog(QDialog):
    """A resizable dialog with a scrollable rich-text browser and a Close button."""

    def __init__(self, title: str, body_html: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(body_html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(760, 560)


def app_version() -> str:
    """The installed distribution's version (the frozen build carries its metadata), else the package's."""
    try:
        return metadata.version("hfs-viewer")
    except metadata.PackageNotFoundError:
        return __version__


def about_dialog(parent: QWidget | None = None) -> TextDialog:
    body = (
        f"<h2>HFS Compression Viewer {html.escape(app_version())}</h2>"
        "<p>A 3D teaching model of the left cerebellopontine angle for hemifacial spasm: "
        "the facial nerve (CN VII) from its root exit point along the attached segment to the "
        "root detachment point and across the cistern, with the vessels that can compress it.</p>"
        "<p>Frame: RAS millimetres (+x right, +y anterior, +z superior). Dimensions come from the "
        "published sources below; it is a schematic model, not patient data.</p>"
        f"<h3>Sources ({len(BIBLIOGRAPHY)})</h3>{bibliography_html()}"
    )
    return TextDialog("About HFS Compression Viewer", body, parent)


def sources_dialog(parent: QWidget | None = None) -> TextDialog:
    body = f"<h3>Sources of the anatomy and the classification ({len(BIBLIOGRAPHY)})</h3>{bibliography_html()}"
    return TextDialog("Sources", body, parent)


MOUSE_HELP = (
    ("Left drag on empty space", "turn the camera"),
    ("Click a structure, vessel, lesion, pad or sling", "select it and name it in the status bar"),
    ("Drag a selected vessel's or lesion's handle", "move it (Shift: a vessel's whole loop)"),
    ("Drag a Teflon pad", "move it in the plane of the screen"),
    ("Shift+drag a Teflon pad", "turn it (sideways: about the screen's vertical, up/down: its horizontal)"),
    ("Ctrl+drag a Teflon pad", "resize it (up grows, down shrinks)"),
    ("Scroll wheel / right drag", "zoom"),
)


def shortcuts_html(window) -> str:
    """Every action of the window that has a shortcut, by menu, then the mouse."""
    from PySide6.QtGui import QAction, QKeySequence

    rows, seen = [], set()
    for act in window.findChildren(QAction):
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
        text = act.text().split("\t")[0].replace("&", "")
        if keys and (text, keys) not in seen:
            seen.add((text, keys))
            rows.append(f"<tr><td><b>{html.escape(keys)}</b></td><td>{html.escape(text)}</td></tr>")
    mouse = "".join(f"<tr><td><b>{html.escape(a)}</b></td><td>{html.escape(b)}</td></tr>" for a, b in MOUSE_HELP)
    return (
        "<h3>Keys</h3><table cellpadding='3'>"
        + "".join(sorted(rows, key=lambda r: r.split("</b></td><td>")[1]))
        + "</table><p>Arrow keys nudge the selected handle, lesion or pad by 0.1 mm (Shift: 1 mm); "
        "Ctrl+Up/Down move it in depth.</p>"
        "<h3>Mouse</h3><table cellpadding='3'>" + mouse + "</table>"
    )


def shortcuts_dialog(window) -> TextDialog:
    return TextDialog("Keyboard and mouse", shortcuts_html(window), window)
