"""Corridor panel: plan the retrosigmoid approach, retract the cerebellum, read the REZ visibility.

The slider is the cerebellar retraction at the flocculus (0-10 mm); moving it is one undoable
edit per drag, saved with the scenario (`corridor.retraction_mm`), and the 3D view moves the
hemisphere, flocculus and choroid plexus in place. The figure below it is the share of CN VII's
root exit point and attached segment seen from the craniotomy (`findings.corridor`), recomputed
with the findings after every edit, vessel moves included.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ..scenario import RETRACTION_RANGE_MM
from .document import SceneDocument
from .vessel_panel import ensure_base_font, help_label

STEPS_PER_MM = 10
HELP = (
    "The keyhole view (7) looks through a 2-2.5 cm retrosigmoid craniotomy along the corridor to the "
    "root exit zone. Retraction lifts the flocculus and the petrosal surface away from the petrous bone; "
    "the figure is the share of the root exit point and attached segment not hidden by cerebellum, "
    "flocculus, choroid plexus, vessels, other nerves or bone."
)


def visibility_text(findings) -> str:
    c = getattr(findings, "corridor", None)
    if not c:
        return "REZ visible from the keyhole: plan a corridor to measure it"
    return (
        f"REZ visible from the keyhole: {round(100 * c['rez_visible_fraction'])} % "
        f"at {c['retraction_mm']:.1f} mm retraction"
    )


class CorridorPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        ensure_base_font(self)
        self.plan_box = QCheckBox("Plan the retrosigmoid corridor", self)
        self.plan_box.setObjectName("corridorPlan")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("retractionSlider")
        lo, hi = RETRACTION_RANGE_MM
        self.slider.setRange(round(lo * STEPS_PER_MM), round(hi * STEPS_PER_MM))
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setTickInterval(10)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setToolTip("Cerebellar retraction at the flocculus (mm)")
        self.slider.setAccessibleName("cerebellar retraction")
        self.retraction_label = QLabel(self)
        self.visible_label = QLabel(self)
        self.visible_label.setObjectName("rezVisible")
        self.visible_label.setWordWrap(True)
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.visible_label.setFont(f)
        self.view_button = QPushButton("Surgeon's keyhole view (7)", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        for w in (self.plan_box, self.retraction_label, self.slider, self.visible_label, self.view_button):
            layout.addWidget(w)
        layout.addWidget(help_label(HELP, self))
        layout.addStretch(1)
        self._merge_key = None
        self.plan_box.toggled.connect(self._plan_toggled)
        self.slider.sliderPressed.connect(self._begin_drag)
        self.slider.sliderReleased.connect(self._end_drag)
        self.slider.valueChanged.connect(self._slider_moved)
        self.view_button.clicked.connect(lambda: document.set_view("keyhole"))
        document.scenarioChanged.connect(lambda _changed: self.refresh())
        document.findingsChanged.connect(self._on_findings)
        self.refresh()

    def _plan_toggled(self, on: bool) -> None:
        self.document.set_corridor(self.slider.value() / STEPS_PER_MM if on else None)

    def _begin_drag(self) -> None:
        self._merge_key = ("retraction", self.document.begin_drag())

    def _end_drag(self) -> None:
        self._merge_key = None

    def _slider_moved(self, value: int) -> None:
        # moving the slider plans the corridor if none was planned yet
        self.document.set_corridor(value / STEPS_PER_MM, self._merge_key)

    def refresh(self) -> None:
        corridor = self.document.scenario.corridor
        mm = 0.0 if corridor is None else corridor.retraction_mm
        for w, value in ((self.plan_box, corridor is not None), (self.slider, round(mm * STEPS_PER_MM))):
            w.blockSignals(True)
            w.setChecked(value) if w is self.plan_box else w.setValue(value)
            w.blockSignals(False)
        text = f"Cerebellar retraction: {mm:.1f} mm" if corridor is not None else "Cerebellar retraction: none planned"
        if self.retraction_label.text() != text:
            self.retraction_label.setText(text)

    def _on_findings(self, findings) -> None:
        text = visibility_text(findings)
        if self.visible_label.text() != text:
            self.visible_label.setText(text)
