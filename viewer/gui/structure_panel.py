"""Structures panel: a tree grouped Brainstem / Nerves / Arteries / Veins / Context
(a patient case: grouped by role, and the context menu changes a structure's role).

Per structure: visibility checkbox, colour swatch (click to change), opacity
spin box, and "Isolate" (button + context menu). Everything goes through the
SceneDocument; the panel mirrors the document's signals back into the tree.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..case import ROLE_TITLES, ROLES, VESSEL_ROLES, VESSEL_WORDS
from .document import SceneDocument

GROUPS = (
    ("brainstem", "Brainstem"),
    ("nerves", "Nerves"),
    ("arteries", "Arteries"),
    ("veins", "Veins"),
    ("context", "Context"),
)
SID_ROLE = Qt.ItemDataRole.UserRole
COL_NAME, COL_COLOUR, COL_OPACITY = 0, 1, 2


def swatch_icon(rgb, size: int = 20) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(*rgb))
    return QIcon(pix)


class StructurePanel(QWidget):
    def __init__(self, document: SceneDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._syncing = False
        self.items: dict[str, QTreeWidgetItem] = {}
        self.group_items: dict[str, QTreeWidgetItem] = {}
        self.swatches: dict[str, QToolButton] = {}
        self.opacity_boxes: dict[str, QSpinBox] = {}

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("structureTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Structure", "Colour", "Opacity"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        header = self.tree.header()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_COLOUR, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_OPACITY, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self._build_items()
        self.tree.expandAll()
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._current_changed)

        self.isolate_button = QPushButton("Isolate", self)
        self.isolate_button.setToolTip("Show only the selected structure (and the brainstem)")
        self.isolate_button.clicked.connect(self.isolate_selected)
        self.show_all_button = QPushButton("Show all", self)
        self.show_all_button.setToolTip("Show every structure, context nerves included")
        self.show_all_button.clicked.connect(document.show_all)
        self.defaults_button = QPushButton("Defaults", self)
        self.defaults_button.setToolTip("Back to the default set of visible structures")
        self.defaults_button.clicked.connect(document.show_defaults)
        buttons = QHBoxLayout()
        for b in (self.isolate_button, self.show_all_button, self.defaults_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self._update_isolate_enabled()

        document.visibilityChanged.connect(self._on_visibility)
        document.opacityChanged.connect(self._on_opacity)
        document.colourChanged.connect(self._on_colour)
        document.selectionChanged.connect(self._on_selection)
        document.caseChanged.connect(self.rebuild)
        document.caseEdited.connect(self.rebuild)

    def groups(self) -> tuple[tuple[str, str], ...]:
        """(group, title) of the tree: the model's groups, or a case's roles."""
        return tuple(ROLE_TITLES.items()) if self.document.case is not None else GROUPS

    def rebuild(self, *_args) -> None:
        """The set of structures (or their groups) changed: a case opened, closed or got new roles."""
        current = self.selected_sid()
        self._syncing = True
        try:
            self.tree.clear()
        finally:
            self._syncing = False
        self.items, self.group_items, self.swatches, self.opacity_boxes = {}, {}, {}, {}
        self._build_items()
        self.tree.expandAll()
        if current in self.items:
            self._on_selection(current)
        self._update_isolate_enabled()

    def refresh_names(self) -> None:
        """Names and descriptions again (the side changed: "Left AICA" -> "Right AICA")."""
        for sid, it in self.items.items():
            info = self.document.structures[sid]
            it.setText(COL_NAME, info.name)
            it.setToolTip(COL_NAME, info.description)

    def sizeHint(self) -> QSize:  # noqa: N802 - wide enough for the longest structure names
        return QSize(max(470, super().sizeHint().width()), 620)

    # ------------------------------------------------------------------ build
    def _build_items(self) -> None:
        d = self.document
        self._syncing = True
        try:
            for group, title in self.groups():
                sids = d.ids_in_group(group)
                if not sids:
                    continue
                g = QTreeWidgetItem(self.tree, [title])
                g.setFlags(g.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
                g.setFirstColumnSpanned(False)
                font = g.font(COL_NAME)
                font.setBold(True)
                g.setFont(COL_NAME, font)
                self.group_items[group] = g
                for sid in sids:
                    info = d.structures[sid]
                    it = QTreeWidgetItem(g, [info.name])
                    it.setData(COL_NAME, SID_ROLE, sid)
                    it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    it.setCheckState(COL_NAME, Qt.CheckState.Checked if d.is_visible(sid) else Qt.CheckState.Unchecked)
                    it.setToolTip(COL_NAME, info.description)
                    self.items[sid] = it
                    self._add_widgets(it, sid)
        finally:
            self._syncing = False

    def _add_widgets(self, item: QTreeWidgetItem, sid: str) -> None:
        d = self.document
        name = d.structures[sid].name
        sw = QToolButton(self.tree)
        sw.setAutoRaise(True)
        sw.setIcon(swatch_icon(d.colour(sid)))
        sw.setToolTip(f"Colour of {name} (click to change)")
        sw.setAccessibleName(f"colour {sid}")
        sw.clicked.connect(lambda _=False, s=sid: self.choose_colour(s))
        self.tree.setItemWidget(item, COL_COLOUR, sw)
        self.swatches[sid] = sw

        box = QSpinBox(self.tree)
        box.setRange(0, 100)
        box.setSingleStep(10)
        box.setSuffix(" %")
        box.setValue(round(d.opacity(sid) * 100))
        box.setToolTip(f"Opacity of {name}")
        box.setAccessibleName(f"opacity {sid}")
        box.setKeyboardTracking(False)
        box.valueChanged.connect(lambda v, s=sid: self._opacity_edited(s, v))
        self.tree.setItemWidget(item, COL_OPACITY, box)
        self.opacity_boxes[sid] = box

    # ------------------------------------------------------------------ tree -> document
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._syncing or column != COL_NAME:
            return
        sid = item.data(COL_NAME, SID_ROLE)
        if sid:  # group items change through their children (auto-tristate)
            self.document.set_visible(sid, item.checkState(COL_NAME) == Qt.CheckState.Checked)
            # an override may keep it shown (the nucleus during a brainstem lesion): show the truth
            self._on_visibility(sid, self.document.is_visible(sid))

    def _current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        self._update_isolate_enabled()
        if self._syncing:
            return
        sid = current.data(COL_NAME, SID_ROLE) if current is not None else None
        if sid:
            self.document.select(sid)

    def _opacity_edited(self, sid: str, value: int) -> None:
        if not self._syncing:
            self.document.set_opacity(sid, value / 100.0)

    def choose_colour(self, sid: str) -> None:
        d = self.document
        colour = QColorDialog.getColor(QColor(*d.colour(sid)), self, f"Colour of {d.structures[sid].name}")
        if colour.isValid():
            d.set_colour(sid, (colour.red(), colour.green(), colour.blue()))

    def selected_sid(self) -> str | None:
        cur = self.tree.currentItem()
        return cur.data(COL_NAME, SID_ROLE) if cur is not None else None

    def isolate_selected(self) -> None:
        sid = self.selected_sid()
        if sid:
            self.document.isolate(sid)

    def _update_isolate_enabled(self) -> None:
        if hasattr(self, "isolate_button"):
            self.isolate_button.setEnabled(bool(self.selected_sid()))

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        menu = self.build_context_menu(item.data(COL_NAME, SID_ROLE) if item is not None else None)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def build_context_menu(self, sid: str | None) -> QMenu:
        d = self.document
        menu = QMenu(self)
        if sid:
            name = d.structures[sid].name
            act = QAction(f"Isolate {name}", menu)
            act.triggered.connect(lambda: d.isolate(sid))
            menu.addAction(act)
            act = QAction("Change colour\u2026", menu)
            act.triggered.connect(lambda: self.choose_colour(sid))
            menu.addAction(act)
            act = QAction("Reset colour", menu)
            act.triggered.connect(lambda: d.set_colour(sid, d.structures[sid].colour))
            menu.addAction(act)
            if d.case is not None:
                menu.addMenu(self._role_menu(menu, sid))
            menu.addSeparator()
        act = QAction("Show all", menu)
        act.triggered.connect(d.show_all)
        menu.addAction(act)
        act = QAction("Show defaults", menu)
        act.triggered.connect(d.show_defaults)
        menu.addAction(act)
        return menu

    def _role_menu(self, parent: QMenu, sid: str) -> QMenu:
        """Role of a case structure (undoable): what the analysis may treat it as."""
        d = self.document
        s = d.case.structure(sid)
        menu = QMenu("Role", parent)
        for role in ROLES:
            if role == "vessel":
                sub = menu.addMenu(ROLE_TITLES[role])
                for vr in VESSEL_ROLES:
                    act = sub.addAction(VESSEL_WORDS[vr])
                    act.setCheckable(True)
                    act.setChecked(s.role == "vessel" and s.vessel_role == vr)
                    act.triggered.connect(lambda _=False, v=vr: d.set_structure_role(sid, "vessel", v))
                continue
            act = menu.addAction(ROLE_TITLES[role])
            act.setCheckable(True)
            act.setChecked(s.role == role)
            act.triggered.connect(lambda _=False, r=role: d.set_structure_role(sid, r))
        return menu

    # ------------------------------------------------------------------ document -> tree
    def _on_visibility(self, sid: str, visible: bool) -> None:
        self._syncing = True
        try:
            self.items[sid].setCheckState(COL_NAME, Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
        finally:
            self._syncing = False

    def _on_opacity(self, sid: str, opacity: float) -> None:
        box = self.opacity_boxes[sid]
        self._syncing = True
        try:
            with QSignalBlocker(box):
                box.setValue(round(opacity * 100))
        finally:
            self._syncing = False
        # the box shows what is drawn; say why when that is not the user's own value
        d = self.document
        why = d.display.overridden_by(sid)
        name = d.structures[sid].name
        if why and abs(d.display.user_opacity(sid) - opacity) > 1e-9:
            box.setToolTip(
                f"Opacity of {name}: {round(opacity * 100)} % while the {', '.join(why)} is on "
                f"(your setting, {round(d.display.user_opacity(sid) * 100)} %, comes back after)"
            )
        else:
            box.setToolTip(f"Opacity of {name}")

    def _on_colour(self, sid: str, rgb) -> None:
        self.swatches[sid].setIcon(swatch_icon(rgb))

    def _on_selection(self, sid: str) -> None:
        self._syncing = True
        try:
            if sid in self.items:
                self.tree.setCurrentItem(self.items[sid])
                self.tree.scrollToItem(self.items[sid])
            else:
                self.tree.setCurrentItem(None)
        finally:
            self._syncing = False
        self._update_isolate_enabled()
