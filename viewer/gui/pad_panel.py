"""Pad panel: the numeric editor of the decompression plan's selected Teflon pad or sling.

A pad: its centre, its three semi-axes (0.5-6 mm, the file format's range) and its
orientation (the thin axis as azimuth and elevation, then the spin of the long axis about
it), and Remove. A sling: which vessel, where along it, where it is fixed, and Remove.
Like the Lesion panel, every edit goes through the document (undoable, the analysis and the
routing follow) and a refresh writes the boxes with their signals blocked.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..pad_editing import axes_from_angles, orientation_angles
from ..scenario import PAD_RADIUS_RANGE_MM, Pad, Sling
from .document import SceneDocument
from .vessel_panel import (
    _spin,
    centre_spins,
    chooser_and_title,
    edited_vector,
    ensure_base_font,
    help_label,
    write_blocked,
)

HINT = (
    "No pad or sling selected. Scenario \u25b8 Insert Teflon pad (Shift+P) puts one into the culprit contact; "
    "Scenario \u25b8 Transpose vessel (Shift+T) slings a vessel to the dura. Click one in the 3D view to edit it."
)
PAD_HELP = (
    "Drag the pad with the mouse (Shift+drag turns it, Ctrl+drag resizes it), or nudge it with the arrow keys "
    "(Shift: 1 mm, Ctrl+Up/Down: depth). "
    "[ and ] shrink and grow it by 10 %; , and . turn it 15\u00b0 about the line of sight, Ctrl+, and Ctrl+. "
    "tilt it about the screen's horizontal; Delete removes it. B shows the scene before decompression."
)
SLING_HELP = "The vessel's course is pulled to the anchor; Delete removes the sling (the vessel goes back)."
ANGLE_FIELDS = (
    (
        "padAzimuth",
        "Thickness azimuth:",
        -180.0,
        180.0,
        "Direction of the pad's thickness (its first axis) in the axial plane, from right (0\u00b0) "
        "towards anterior (90\u00b0)",
    ),
    ("padElevation", "Thickness elevation:", -90.0, 90.0, "Tilt of the thickness axis towards superior"),
    ("padSpin", "Spin:", -180.0, 180.0, "Turn of the pad's length (its second axis) about the thickness axis"),
)


def _angle_box(parent: QWidget, lo: float, hi: float):
    box = _spin(parent, lo, hi, 5.0, decimals=1)
    box.setSuffix("\u00b0")
    box.setWrapping(lo == -180.0)
    return box


class PadPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        ensure_base_font(self)
        self.chooser, self.title_label = chooser_and_title(self, "pad", "Pads and slings of this scenario", HINT)

        # ---- pad editor
        self.editor = QWidget(self)
        self.centre_spins = centre_spins(self.editor, "pad")
        self.radius_spins = tuple(_spin(self.editor, *PAD_RADIUS_RANGE_MM, 0.1) for _ in "abc")
        for name, box, tip in zip(
            ("padRadiusThick", "padRadiusLong", "padRadiusWide"),
            self.radius_spins,
            (
                "Half the thickness: along the pad's first axis (inserted pads: from the nerve to the vessel)",
                "Half the length: the second axis (inserted pads: along the nerve)",
                "Half the width: the third axis (inserted pads: across the nerve)",
            ),
        ):
            box.setObjectName(name)
            box.setToolTip(tip + " (0.5-6 mm)")
        self.angle_spins = []
        for name, _label, lo, hi, tip in ANGLE_FIELDS:
            box = _angle_box(self.editor, lo, hi)
            box.setObjectName(name)
            box.setToolTip(tip)
            self.angle_spins.append(box)
        self.angle_spins = tuple(self.angle_spins)
        self.remove_button = QPushButton("Remove pad", self.editor)
        self.remove_button.setObjectName("padRemove")
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 6, 0, 0)
        for label, box in zip(("Centre X (R):", "Centre Y (A):", "Centre Z (S):"), self.centre_spins):
            form.addRow(label, box)
        for label, box in zip(("Half thickness:", "Half length:", "Half width:"), self.radius_spins):
            form.addRow(label, box)
        for (_name, label, *_rest), box in zip(ANGLE_FIELDS, self.angle_spins):
            form.addRow(label, box)
        form.addRow(self.remove_button)
        self.pad_help = help_label(PAD_HELP, self.editor)
        form.addRow(self.pad_help)

        # ---- sling view
        self.sling_box = QWidget(self)
        self.sling_label = QLabel(self.sling_box)
        self.sling_label.setObjectName("slingText")
        self.sling_label.setWordWrap(True)
        self.remove_sling_button = QPushButton("Remove sling", self.sling_box)
        self.remove_sling_button.setObjectName("slingRemove")
        sl = QVBoxLayout(self.sling_box)
        sl.setContentsMargins(0, 6, 0, 0)
        sl.addWidget(self.sling_label)
        sl.addWidget(self.remove_sling_button)
        sl.addWidget(help_label(SLING_HELP, self.sling_box))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.chooser)
        layout.addWidget(self.title_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.sling_box)
        layout.addStretch(1)

        self.chooser.activated.connect(self._chosen)
        for axis, box in enumerate(self.centre_spins):
            box.valueChanged.connect(lambda _v, a=axis: self._centre_edited(a))
        for axis, box in enumerate(self.radius_spins):
            box.valueChanged.connect(lambda _v, a=axis: self._radius_edited(a))
        for box in self.angle_spins:
            box.valueChanged.connect(self._angles_edited)
        self.remove_button.clicked.connect(self._remove)
        self.remove_sling_button.clicked.connect(self._remove)
        document.selectionChanged.connect(self._refresh_slot)
        document.scenarioChanged.connect(self._scenario_changed)
        document.planShownChanged.connect(self._refresh_slot)
        self.refresh()

    @property
    def pad(self) -> Pad | None:
        return self.document.selected_pad

    @property
    def sling(self) -> Sling | None:
        return self.document.selected_sling

    def _refresh_slot(self, *_args) -> None:
        self.refresh()

    def _scenario_changed(self, changed) -> None:
        # vessel drags emit this on every mouse move: rebuild only for changes of the plan
        d = self.document
        if changed is None or any(c in d.pad_ids() or c in d.sling_ids() for c in changed):
            self.refresh()

    def _items(self) -> list[tuple[str, str]]:
        s = self.document.scenario
        out = [(p.id, f"{p.label or 'Teflon pad'} ({p.id})") for p in s.pads]
        labels = {v.id: v.label for v in s.vessels}
        out += [(x.id, f"Sling on the {labels.get(x.vessel, x.vessel)} ({x.id})") for x in s.slings]
        return out

    def refresh(self) -> None:
        items = self._items()
        pad, sling = self.pad, self.sling
        current = pad.id if pad is not None else sling.id if sling is not None else None
        self.chooser.blockSignals(True)
        try:
            self.chooser.clear()
            for ident, text in items:
                self.chooser.addItem(text, ident)
            self.chooser.setVisible(bool(items))
            ids = [i for i, _ in items]
            self.chooser.setCurrentIndex(ids.index(current) if current in ids else -1)
            if current is None:
                self.chooser.setPlaceholderText("Choose a pad or sling\u2026")
        finally:
            self.chooser.blockSignals(False)
        before = self.document.showing_before
        self.editor.setVisible(pad is not None)
        self.sling_box.setVisible(sling is not None)
        self.editor.setEnabled(not before)
        self.sling_box.setEnabled(not before)
        suffix = " \u2014 hidden: the scene before decompression is shown (B)" if before else ""
        if pad is not None:
            size = " \u00d7 ".join(f"{2 * r:.1f}" for r in pad.radii_mm)
            self.title_label.setText(f"{pad.label or 'Teflon pad'} \u2014 felt, {size} mm{suffix}")
            self._write_pad(pad)
        elif sling is not None:
            vessel = self.document.scenario.vessel(sling.vessel)
            self.title_label.setText(f"Sling on the {vessel.label}{suffix}")
            x, y, z = sling.anchor_mm
            self.sling_label.setText(
                f"{sling.at_mm:.1f} mm along the {vessel.label}'s course, fixed at ({x:.1f}, {y:.1f}, {z:.1f}) mm"
            )
        else:
            self.title_label.setText(HINT)

    def _write_pad(self, pad: Pad) -> None:
        write_blocked(
            [
                *zip(self.centre_spins, pad.center_mm),
                *zip(self.radius_spins, pad.radii_mm),
                *zip(self.angle_spins, orientation_angles(pad.axes_matrix)),
            ]
        )

    def _chosen(self, index: int) -> None:
        ident = self.chooser.itemData(index)
        if ident:
            self.document.select(ident)

    def _centre_edited(self, axis: int) -> None:
        pad = self.pad
        if pad is None:
            return
        target = edited_vector(pad.center_mm, self.centre_spins, axis)
        if target is not None:
            self.document.move_pad(pad.id, target)
        self.refresh()

    def _radius_edited(self, axis: int) -> None:
        pad = self.pad
        if pad is None:
            return
        radii = edited_vector(pad.radii_mm, self.radius_spins, axis)
        if radii is not None:
            self.document.resize_pad(pad.id, radii)
        self.refresh()

    def _angles_edited(self, *_args) -> None:
        pad = self.pad
        if pad is None:
            return
        shown = orientation_angles(pad.axes_matrix)
        wanted = tuple(float(b.value()) for b in self.angle_spins)
        if max(abs(a - b) for a, b in zip(shown, wanted)) > 0.05:
            self.document.set_pad_axes(pad.id, axes_from_angles(*wanted))
        self.refresh()

    def _remove(self) -> None:
        self.document.remove_selected()
