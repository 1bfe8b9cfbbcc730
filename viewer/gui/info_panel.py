"""Info panel: what the last click in the 3D view hit (name, one-line description,
and for CN VII the zone and myelin type at the clicked point)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from .document import PickResult, SceneDocument

HINT = "Click a structure in the 3D view to identify it. Drag to rotate, wheel to zoom."


class InfoPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document

        self.name_label = QLabel(self)
        self.name_label.setObjectName("infoName")
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.name_label.setFont(font)
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.description_label = QLabel(self)
        self.description_label.setObjectName("infoDescription")
        self.description_label.setWordWrap(True)
        self.description_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.segment_label = QLabel(self)
        self.myelin_label = QLabel(self)
        self.arc_label = QLabel(self)
        self.nerve_form = QWidget(self)
        form = QFormLayout(self.nerve_form)
        form.setContentsMargins(0, 6, 0, 0)
        form.addRow("Segment:", self.segment_label)
        form.addRow("Myelin:", self.myelin_label)
        form.addRow("From RExP:", self.arc_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.name_label)
        layout.addWidget(self.description_label)
        layout.addWidget(self.nerve_form)
        layout.addStretch(1)

        document.structurePicked.connect(self.show_pick)
        self.show_pick(document.last_pick)

    def show_pick(self, result: PickResult | None) -> None:
        if result is None:
            self.name_label.setText("Nothing selected")
            self.description_label.setText(HINT)
            self.nerve_form.setVisible(False)
            return
        self.name_label.setText(result.name)
        self.description_label.setText(result.description)
        if result.segment is not None:
            self.segment_label.setText(result.segment_label)
            self.myelin_label.setText(
                f"{result.myelin} ({'CNS, oligodendrocytes' if result.myelin == 'central' else 'PNS, Schwann cells'})"
            )
            self.arc_label.setText(f"{result.arc_mm:.1f} mm along the nerve")
            self.nerve_form.setVisible(True)
        else:
            self.nerve_form.setVisible(False)

    def text(self) -> str:
        """All text the panel currently shows, one item per line (visible widgets only)."""
        parts = [self.name_label.text(), self.description_label.text()]
        if not self.nerve_form.isHidden():
            parts += [
                f"Segment: {self.segment_label.text()}",
                f"Myelin: {self.myelin_label.text()}",
                f"From RExP: {self.arc_label.text()}",
            ]
        return "\n".join(parts)
