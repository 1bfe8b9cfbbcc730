"""Vessel panel: the numeric editor for the selected vessel (radius, handle coordinates).

Every edit goes through the document (``set_vessel_radius``, ``select_handle``,
``move_handle``), so it is undoable and the analysis follows; the spin boxes are
refreshed from the scenario on ``scenarioChanged`` / ``selectionChanged`` /
``handleSelected`` with their signals blocked, so a refresh never edits back.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from ..scenario import Vessel
from .document import SceneDocument

BASE_POINT_SIZE = 11.0
HINT = "Select a vessel in the 3D view"
HELP = (
    "Drag a handle in the 3D view; Shift-drag moves the whole loop; arrow keys nudge 0.1 mm "
    "(Shift: 1 mm), Ctrl+Up/Down moves in depth."
)
ORIGIN_NOTE = "origin: attached to its parent vessel"
END_NOTE = "end: attached to the vessel it joins"
NO_HANDLE_NOTE = "Choose a handle number (or click a handle in the 3D view) to edit its coordinates."
RADIUS_RANGE_MM = (0.20, 6.00)
RADIUS_STEP_MM = 0.05
COORD_RANGE_MM = 200.0  # scenario.COORD_LIMIT_MM
COORD_STEP_MM = 0.1

ROLE_WORDS = {
    "vertebral": "vertebral artery",
    "basilar": "basilar artery",
    "aica": "anterior inferior cerebellar artery (AICA)",
    "pica": "posterior inferior cerebellar artery (PICA)",
    "sca": "superior cerebellar artery (SCA)",
    "vein": "vein",
    "other": "other vessel",
}


def _spin(parent: QWidget, lo: float, hi: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setSuffix(" mm")
    box.setKeyboardTracking(False)  # valueChanged on Enter, focus loss or a step, not on every keystroke
    box.setAccelerated(True)
    return box


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


def _set_value(box, value, empty_too: bool = False) -> None:
    """Set a spin box's value unless it already shows it (a cleared box shows nothing)."""
    shown = round(value, box.decimals()) if isinstance(box, QDoubleSpinBox) else int(value)
    if box.value() != shown or (empty_too and not box.text()):
        box.setValue(value)


def chooser_and_title(panel: QWidget, prefix: str, tip: str, hint: str):
    """The top of an item panel: a chooser of the scenario's items and a bold title (the hint when none)."""
    from PySide6.QtWidgets import QComboBox

    chooser = QComboBox(panel)
    chooser.setObjectName(f"{prefix}Chooser")
    chooser.setToolTip(tip)
    title = QLabel(hint, panel)
    title.setObjectName(f"{prefix}Title")
    title.setWordWrap(True)
    f = QFont(panel.font())
    f.setBold(True)
    title.setFont(f)
    return chooser, title


def centre_spins(parent: QWidget, prefix: str) -> tuple[QDoubleSpinBox, ...]:
    """X, Y, Z of an item's centre (RAS mm), named `<prefix>CentreX` ..."""
    boxes = tuple(_spin(parent, -COORD_RANGE_MM, COORD_RANGE_MM, COORD_STEP_MM) for _ in "xyz")
    for axis, box in zip("XYZ", boxes):
        box.setObjectName(f"{prefix}Centre{axis}")
        box.setToolTip(f"{axis} of the centre (RAS mm: X right, Y anterior, Z superior)")
    return boxes


def write_blocked(pairs) -> None:
    """Set (spin box, value) pairs without emitting: a refresh must not read as a user's edit."""
    pairs = list(pairs)
    for box, _ in pairs:
        box.blockSignals(True)
    try:
        for box, value in pairs:
            box.setValue(float(value))
    finally:
        for box, _ in pairs:
            box.blockSignals(False)


def edited_vector(current, spins, axis: int) -> list[float] | None:
    """`current` with component `axis` taken from its spin box, or None when the box shows it already."""
    values = [float(v) for v in current]
    value = float(spins[axis].value())
    if abs(value - values[axis]) <= 1e-9:
        return None
    values[axis] = value
    return values


def ensure_base_font(widget: QWidget) -> None:
    """At least BASE_POINT_SIZE for an editor panel (readable on a projector)."""
    if widget.font().pointSizeF() < BASE_POINT_SIZE:
        f = QFont(widget.font())
        f.setPointSizeF(BASE_POINT_SIZE)
        widget.setFont(f)


def help_label(text: str, parent: QWidget) -> QLabel:
    """Secondary text: italic rather than greyed out, for contrast on a projector."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    f = QFont(label.font())
    f.setItalic(True)
    label.setFont(f)
    return label


class VesselPanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        ensure_base_font(self)

        self.title_label = QLabel(HINT, self)
        self.title_label.setObjectName("vesselTitle")
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.25)
        self.title_label.setFont(f)
        self.title_label.setWordWrap(True)
        self.role_label = QLabel(self)
        self.role_label.setObjectName("vesselRole")
        self.role_label.setWordWrap(True)

        self.editor = QWidget(self)
        self.radius_spin = _spin(self.editor, *RADIUS_RANGE_MM, RADIUS_STEP_MM)
        self.radius_spin.setObjectName("vesselRadius")
        self.radius_spin.setToolTip("Vessel radius (undoable)")
        self.handle_spin = QSpinBox(self.editor)
        self.handle_spin.setObjectName("vesselHandle")
        self.handle_spin.setSpecialValueText("none")  # value 0: no handle selected
        self.handle_spin.setToolTip("Handle number along the vessel, 1 = origin")
        self.coord_spins = tuple(_spin(self.editor, -COORD_RANGE_MM, COORD_RANGE_MM, COORD_STEP_MM) for _ in "xyz")
        for axis, box in zip("XYZ", self.coord_spins):
            box.setObjectName(f"vesselHandle{axis}")
            box.setToolTip(f"{axis} of the handle (RAS mm: X right, Y anterior, Z superior)")
        self.x_spin, self.y_spin, self.z_spin = self.coord_spins
        self.handle_note = QLabel(self.editor)
        self.handle_note.setObjectName("vesselHandleNote")
        self.handle_note.setWordWrap(True)

        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 6, 0, 0)
        form.addRow("Radius:", self.radius_spin)
        form.addRow("Handle:", self.handle_spin)
        form.addRow("X (R):", self.x_spin)
        form.addRow("Y (A):", self.y_spin)
        form.addRow("Z (S):", self.z_spin)
        form.addRow(self.handle_note)

        self.help_label = help_label(HELP, self)
        self.help_label.setObjectName("vesselHelp")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title_label)
        layout.addWidget(self.role_label)
        layout.addWidget(self.editor)
        layout.addWidget(self.help_label)
        layout.addStretch(1)

        self.radius_spin.valueChanged.connect(self._radius_edited)
        self.handle_spin.valueChanged.connect(self._handle_chosen)
        for axis, box in enumerate(self.coord_spins):
            box.valueChanged.connect(lambda _v, a=axis: self._coord_edited(a))

        # bound methods (not lambdas): Qt drops the connections when the panel is deleted
        document.selectionChanged.connect(self._selection_changed)
        document.handleSelected.connect(self._handle_selected)
        document.scenarioChanged.connect(self._scenario_changed)
        self.refresh()

    # ------------------------------------------------------------------ state
    @property
    def vessel(self) -> Vessel | None:
        return self.document.selected_vessel

    def handle_index(self) -> int:
        """The selected handle of the shown vessel, -1 for none (or a stale index)."""
        v = self.vessel
        i = self.document.selected_handle
        return i if v is not None and 0 <= i < len(v.centerline_mm) else -1

    # ------------------------------------------------------------------ document -> widgets
    def _selection_changed(self, _sid: str) -> None:
        self.refresh()

    def _handle_selected(self, _index: int) -> None:
        self.refresh()

    def _scenario_changed(self, changed) -> None:
        v = self.vessel
        if changed is None or v is None or v.id in changed:
            self.refresh()

    def refresh(self) -> None:
        # Runs on every move of a drag: a widget is touched only when what it shows changes
        # (each set costs a relayout and a repaint of the panel).
        v = self.vessel
        if v is None:
            _set_text(self.title_label, HINT)
            _set_text(self.role_label, "")
            self.role_label.setVisible(False)
            self.editor.setVisible(False)
            return
        _set_text(self.title_label, v.label)
        _set_text(
            self.role_label, f"{v.kind} \u00b7 {ROLE_WORDS.get(v.role, v.role)} \u00b7 {len(v.centerline_mm)} handles"
        )
        self.role_label.setVisible(True)
        self.editor.setVisible(True)
        n = len(v.centerline_mm)
        i = self.handle_index()
        fixed = self.document.fixed_handles(v.id)  # once per refresh: it searches every vessel
        widgets = (self.radius_spin, self.handle_spin) + self.coord_spins
        for w in widgets:
            w.blockSignals(True)
        try:
            _set_value(self.radius_spin, v.radius_mm)
            if self.handle_spin.maximum() != n:
                self.handle_spin.setRange(0, n)
            _set_value(self.handle_spin, i + 1)
            has = i >= 0
            origin = i in fixed
            symbols = (
                QAbstractSpinBox.ButtonSymbols.NoButtons if origin else QAbstractSpinBox.ButtonSymbols.UpDownArrows
            )
            for axis, box in enumerate(self.coord_spins):
                box.setEnabled(has)
                if box.isReadOnly() != origin:
                    box.setReadOnly(origin)
                if box.buttonSymbols() != symbols:
                    box.setButtonSymbols(symbols)
                if has:
                    _set_value(box, float(v.centerline_mm[i][axis]), empty_too=True)
                elif box.text():
                    box.clear()
        finally:
            for w in widgets:
                w.blockSignals(False)
        if i == 0:
            note = ORIGIN_NOTE
        elif i > 0 and i in fixed:
            note = END_NOTE
        elif i < 0:
            note = NO_HANDLE_NOTE
        else:
            note = f"Handle {i + 1} of {n}"
        _set_text(self.handle_note, note)

    # ------------------------------------------------------------------ widgets -> document
    def _radius_edited(self, value: float) -> None:
        v = self.vessel
        if v is not None and abs(value - v.radius_mm) > 1e-9:
            self.document.set_vessel_radius(v.id, value)
        self.refresh()  # shows the stored (clamped) value

    def _handle_chosen(self, value: int) -> None:
        if self.vessel is not None:
            self.document.select_handle(value - 1)  # 0 ("none") -> -1
        self.refresh()

    def _coord_edited(self, axis: int) -> None:
        v = self.vessel
        i = self.handle_index()
        if v is None or i < 0:
            return
        # only the edited axis changes: the others keep their exact stored values
        # (the boxes show 2 decimals, the scenario stores 4)
        target = list(v.centerline_mm[i])
        value = float(self.coord_spins[axis].value())
        if i != 0 and abs(value - target[axis]) > 1e-9:
            target[axis] = value
            self.document.move_handle(v.id, i, target)
        self.refresh()  # shows where the handle ended up (clamped at the brainstem, or fixed)
