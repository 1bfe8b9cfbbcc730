"""Teaching-case browser: every shipped preset with its thumbnail, title and expected finding.

Double-click (or Enter) opens the case: the scene is replaced after the
unsaved-changes question and the camera goes to the case's view. The cases and their
thumbnails are read when the panel's dock is first shown (its tab sits behind Structures
at start), not while the window opens.
"""

from __future__ import annotations

from functools import cached_property

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..presets import list_presets
from ..render.thumbnails import THUMB_SIZE, thumbnail_path
from ..vocabulary import tag_words


class PresetPanel(QWidget):
    presetActivated = Signal(str)  # preset name

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("presetList")
        self.list.setIconSize(QSize(THUMB_SIZE[0] // 2, THUMB_SIZE[1] // 2))
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setUniformItemSizes(False)
        self._filled = False
        self._current: str | None = None
        hint = QLabel(
            "Double-click a case to open it. PageUp/PageDown step through them in presentation mode (F5).", self
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(hint)
        self.list.itemActivated.connect(self._activated)

    @cached_property
    def infos(self):
        """Every shipped case (name, title, expected finding, view), read on first use."""
        return list_presets()

    def fill_if_shown(self, visible: bool) -> None:
        """For the dock's visibilityChanged: a tab behind another still gets show events."""
        if visible:
            self.fill()

    def fill(self) -> None:
        """List the cases with their thumbnails (once)."""
        if self._filled:
            return
        self._filled = True
        for i, info in enumerate(self.infos):
            tags = ", ".join(tag_words(t, short=True) for t in info.expected)
            item = QListWidgetItem(f"{i + 1}. {info.title}\n{tags}")
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            item.setToolTip(f"{info.title} \u2014 expected: {tags}; view: {info.view}")
            pix = QPixmap(str(thumbnail_path(info.name)))
            if not pix.isNull():
                item.setIcon(QIcon(pix))
            self.list.addItem(item)
        self.mark_current(self._current)

    def names(self) -> list[str]:
        return [info.name for info in self.infos]

    def _activated(self, item: QListWidgetItem) -> None:
        self.presetActivated.emit(item.data(Qt.ItemDataRole.UserRole))

    def mark_current(self, name: str | None) -> None:
        self._current = name
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()
