"""Lesion panel: the numeric editor for the selected lesion (centre, semi-axes, remove).

Like the Vessel panel, every edit goes through the document (undoable, the
analysis follows) and a refresh writes the spin boxes with their signals blocked.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QPushButton, QVBoxLayout, QWidget

from ..scenario import LESION_RADIUS_RANGE_MM, Lesion
from ..vocabulary import LESION_WORDS
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

HINT = "No lesion selected. Add one from the Scenario menu, or click a lesion in the 3D view."
HELP = (
    "Drag the lesion's handle in the 3D view or nudge it with the arrow keys (Shift: 1 mm); "
    "[ and ] shrink and grow it by 10 %; Delete removes it."
)


class LesionPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        ensure_base_font(self)
        self.chooser, self.title_label = chooser_and_title(self, "lesion", "Lesions of this scenario", HINT)
        self.editor = QWidget(self)
        self.centre_spins = centre_spins(self.editor, "lesion")
        self.radius_spins = tuple(_spin(self.editor, *LESION_RADIUS_RANGE_MM, 0.1) for _ in "abc")
        for axis, box in zip("XYZ", self.radius_spins):
            box.setObjectName(f"lesionRadius{axis}")
            box.setToolTip(f"Semi-axis along {axis} (mm)")
        self.remove_button = QPushButton("Remove lesion", self.editor)
        self.remove_button.setObjectName("lesionRemove")
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 6, 0, 0)
        for label, box in zip(("Centre X (R):", "Centre Y (A):", "Centre Z (S):"), self.centre_spins):
            form.addRow(label, box)
        for label, box in zip(("Semi-axis R-L:", "Semi-axis A-P:", "Semi-axis S-I:"), self.radius_spins):
            form.addRow(label, box)
        form.addRow(self.remove_button)
        self.help_label = help_label(HELP, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.chooser)
        layout.addWidget(self.title_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.help_label)
        layout.addStretch(1)

        self.chooser.activated.connect(self._chosen)
        for axis, box in enumerate(self.centre_spins):
            box.valueChanged.connect(lambda _v, a=axis: self._centre_edited(a))
        for axis, box in enumerate(self.radius_spins):
            box.valueChanged.connect(lambda _v, a=axis: self._radius_edited(a))
        self.remove_button.clicked.connect(self._remove)
        document.selectionChanged.connect(self._refresh_slot)
        document.scenarioChanged.connect(self._scenario_changed)
        self.refresh()

    @property
    def lesion(self) -> Lesion | None:
        return self.document.selected_lesion

    def _refresh_slot(self, *_args) -> None:
        self.refresh()

    def _scenario_changed(self, changed) -> None:
        # vessel drags emit this on every mouse move: rebuild only for lesion changes
        if changed is None or any(c in self.document.lesion_ids() for c in changed):
            self.refresh()

    def refresh(self) -> None:
        d = self.document
        les = self.lesion
        self.chooser.blockSignals(True)
        try:
            self.chooser.clear()
            for lid in d.lesion_ids():
                x = d.lesion(lid)
                self.chooser.addItem(f"{x.label or x.kind} ({lid})", lid)
            self.chooser.setVisible(self.chooser.count() > 0)
            if les is not None:
                self.chooser.setCurrentIndex(d.lesion_ids().index(les.id))
            else:
                self.chooser.setCurrentIndex(-1)
                self.chooser.setPlaceholderText("Choose a lesion\u2026")
        finally:
            self.chooser.blockSignals(False)
        if les is None:
            self.title_label.setText(HINT)
            self.editor.setVisible(False)
            return
        self.title_label.setText(f"{les.label or les.kind} \u2014 {LESION_WORDS[les.kind]}")
        self.editor.setVisible(True)
        write_blocked([*zip(self.centre_spins, les.center_mm), *zip(self.radius_spins, les.radii_mm)])

    def _chosen(self, index: int) -> None:
        lid = self.chooser.itemData(index)
        if lid:
            self.document.select(lid)

    def _centre_edited(self, axis: int) -> None:
        les = self.lesion
        if les is None:
            return
        target = edited_vector(les.center_mm, self.centre_spins, axis)
        if target is not None:
            self.document.move_lesion(les.id, target)
        self.refresh()

    def _radius_edited(self, axis: int) -> None:
        les = self.lesion
        if les is None:
            return
        radii = edited_vector(les.radii_mm, self.radius_spins, axis)
        if radii is not None:
            self.document.resize_lesion(les.id, radii)
        self.refresh()

    def _remove(self) -> None:
        les = self.lesion
        if les is not None:
            self.document.remove_lesion(les.id)
