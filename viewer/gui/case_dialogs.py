"""Dialogs of patient cases: the roles of imported structures, and the surface export.

The role dialog lists what an import found (colour swatch, name, size, guessed role);
the user corrects the roles before the case opens. Nothing is analysed as a nerve or a
vessel unless its role says so, so this is where a wrong guess gets fixed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..case import ROLE_TITLES, ROLES, SIDES, VESSEL_ROLES, VESSEL_WORDS, Case
from .structure_panel import swatch_icon

COL_SWATCH, COL_NAME, COL_SIZE, COL_ROLE, COL_VESSEL = range(5)


class RoleDialog(QDialog):
    """Structures of an import with their guessed roles, each editable; OK opens the case."""

    def __init__(self, case: Case, stats: dict[str, dict], warnings=(), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("roleDialog")
        self.setWindowTitle("Imported structures \u2014 check the roles")
        self.case = case
        self.name_edit = QLineEdit(case.name, self)
        self.name_edit.setObjectName("caseName")
        self.side_box = QComboBox(self)
        self.side_box.setObjectName("caseSide")
        for side in SIDES:
            self.side_box.addItem(f"{side.capitalize()} facial nerve", side)
        self.side_box.setCurrentIndex(SIDES.index(case.side))
        form = QFormLayout()
        form.addRow("Case name:", self.name_edit)
        form.addRow("Side studied:", self.side_box)

        self.table = QTableWidget(len(case.structures), 5, self)
        self.table.setObjectName("roleTable")
        self.table.setHorizontalHeaderLabels(["", "Structure", "Size", "Role", "Vessel"])
        self.table.verticalHeader().setVisible(False)
        self.role_boxes: dict[str, QComboBox] = {}
        self.vessel_boxes: dict[str, QComboBox] = {}
        for row, s in enumerate(case.structures):
            sw = QTableWidgetItem()
            sw.setIcon(swatch_icon(s.colour))
            self.table.setItem(row, COL_SWATCH, sw)
            self.table.setItem(row, COL_NAME, QTableWidgetItem(s.name))
            st = stats.get(s.id, {})
            size = f"{st.get('volume_mm3', 0.0):.0f} mm\u00b3, {st.get('triangles', 0):,} triangles"
            if s.pieces > 1:
                size += f", {s.pieces} pieces"
            self.table.setItem(row, COL_SIZE, QTableWidgetItem(size))
            role = QComboBox(self.table)
            role.setAccessibleName(f"role {s.id}")
            for r in ROLES:
                role.addItem(ROLE_TITLES[r], r)
            role.setCurrentIndex(ROLES.index(s.role))
            vessel = QComboBox(self.table)
            vessel.setAccessibleName(f"vessel role {s.id}")
            for vr in VESSEL_ROLES:
                vessel.addItem(VESSEL_WORDS[vr], vr)
            vessel.setCurrentIndex(VESSEL_ROLES.index(s.vessel_role or "other"))
            vessel.setEnabled(s.role == "vessel")
            role.currentIndexChanged.connect(lambda _i, r=role, v=vessel: v.setEnabled(r.currentData() == "vessel"))
            self.table.setCellWidget(row, COL_ROLE, role)
            self.table.setCellWidget(row, COL_VESSEL, vessel)
            self.role_boxes[s.id] = role
            self.vessel_boxes[s.id] = vessel
        for col in (COL_SWATCH, COL_SIZE, COL_ROLE, COL_VESSEL):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        hint = QLabel(
            "Roles were guessed from the names and label tables. Only a structure whose role says "
            "so is analysed as a nerve or a vessel.",
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        if warnings:
            warn = QLabel("\n".join(f"\u26a0 {w}" for w in warnings), self)
            warn.setObjectName("importWarnings")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Open case")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(880, min(760, 220 + 40 * len(case.structures)))

    def set_role(self, sid: str, role: str, vessel_role: str | None = None) -> None:
        """Choose a role as the user would in the combo boxes (tests, scripted imports)."""
        self.role_boxes[sid].setCurrentIndex(ROLES.index(role))
        if vessel_role is not None:
            self.vessel_boxes[sid].setCurrentIndex(VESSEL_ROLES.index(vessel_role))

    def result_case(self) -> Case:
        """The case with the roles, name and side chosen here."""
        from dataclasses import replace

        case = self.case
        for s in case.structures:
            role = self.role_boxes[s.id].currentData()
            vr = self.vessel_boxes[s.id].currentData() if role == "vessel" else None
            if role != s.role or (role == "vessel" and vr != s.vessel_role):
                case = case.with_role(s.id, role, vr)
        name = self.name_edit.text().strip() or case.name
        return replace(case, name=name, side=self.side_box.currentData())


EXPORT_FORMATS = (
    ("stl", "STL (3D printing)"),
    ("obj", "OBJ (a named group per structure)"),
    ("ply", "PLY (with vertex colours)"),
    ("glb", "glTF binary (.glb, one file)"),
)


class ExportSurfacesDialog(QDialog):
    """Format, frame and file layout of a surface export (the `export` command's choices)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exportSurfacesDialog")
        self.setWindowTitle("Export surfaces")
        self.format_box = QComboBox(self)
        for fmt, text in EXPORT_FORMATS:
            self.format_box.addItem(text, fmt)
        self.space_box = QComboBox(self)
        self.space_box.addItem("RAS (this app, most mesh tools)", "RAS")
        self.space_box.addItem("LPS (3D Slicer's default, DICOM)", "LPS")
        self.split_box = QCheckBox("One file per structure (into a folder)", self)
        self.format_box.currentIndexChanged.connect(self._sync)
        form = QFormLayout(self)
        form.addRow("Format:", self.format_box)
        form.addRow("Frame:", self.space_box)
        form.addRow("", self.split_box)
        note = QLabel("The file carries a SPACE tag as 3D Slicer writes it, so Slicer places it right.", self)
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _sync(self) -> None:
        glb = self.format_box.currentData() == "glb"
        self.split_box.setEnabled(not glb)
        if glb:
            self.split_box.setChecked(False)

    @property
    def choice(self) -> tuple[str, str, bool]:
        """(format, space, one file per structure)."""
        return self.format_box.currentData(), self.space_box.currentData(), self.split_box.isChecked()
