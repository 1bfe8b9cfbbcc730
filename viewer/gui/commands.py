"""Undo commands (Qt's QUndoStack): every scenario edit is one of these.

A continuous drag sends many EditVesselCommands with the same `merge_key`;
QUndoStack merges them (mergeWith), so one drag is one undo step.
"""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..scenario import Lesion, Scenario, Vessel

EDIT_VESSEL_ID = 4101


class EditVesselCommand(QUndoCommand):
    def __init__(self, document, before: Vessel, after: Vessel, text: str, merge_key: object | None = None):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API name
        return EDIT_VESSEL_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API name
        if (self.merge_key is None or not isinstance(other, EditVesselCommand)
                or other.merge_key != self.merge_key or other.before.id != self.before.id):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document._put_vessel(self.after)

    def undo(self) -> None:
        self.document._put_vessel(self.before)


class ReplaceScenarioCommand(QUndoCommand):
    def __init__(self, document, before: Scenario, after: Scenario, text: str):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self.document._put_scenario(self.after)

    def undo(self) -> None:
        self.document._put_scenario(self.before)


EDIT_LESION_ID = 4102


class EditLesionCommand(QUndoCommand):
    """Move or resize one lesion; a drag or a spin-box ramp merges into one step."""

    def __init__(self, document, before: Lesion, after: Lesion, text: str, merge_key: object | None = None):
        super().__init__(text)
        self.document = document
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API name
        return EDIT_LESION_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API name
        if (self.merge_key is None or not isinstance(other, EditLesionCommand)
                or other.merge_key != self.merge_key or other.before.id != self.before.id):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document._put_lesion(self.after)

    def undo(self) -> None:
        self.document._put_lesion(self.before)
